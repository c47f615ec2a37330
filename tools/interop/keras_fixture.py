"""Keras 3 reference models for test/interop-tfjs.test.ts, written as TF.js Layers artifacts.

TF.js 4.22 cannot build a GRU with reset_after=True (its GRUCell throws), the only GRU that is
PyTorch's, so the GRU import is checked against Keras itself: this script builds small Keras 3
models with seeded random float32 weights, runs model.predict on seeded inputs, and writes, per
case, model.json as tensorflowjs_converter lays it out for a Keras model (modelTopology.model_config
holding Keras's own get_config(), weightsManifest entries named by Keras's weight paths), the
weight bytes (base64, little-endian float32, manifest order), x and Keras's outputs.

    pip install keras==3.15.1 jax==0.10.2 jaxlib==0.10.2
    KERAS_BACKEND=jax python3 tools/interop/keras_fixture.py > test/fixtures/keras-rnn.json

The output is committed; the test does not need Python.
"""
import base64
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

B, T, I, H, C, V = 3, 6, 4, 5, 3, 7


def case(name, layers, tokens=False):
    rng = np.random.default_rng(sum(ord(ch) * (i + 1) for i, ch in enumerate(name)))
    model = keras.Sequential(layers)
    weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype(np.float32) for w in model.weights]
    model.set_weights(weights)
    if tokens:
        x = rng.integers(0, V, size=(B, T)).astype(np.int32)
    else:
        x = rng.uniform(-1, 1, size=(B, T, I)).astype(np.float32)
    y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
    data = b"".join(np.ascontiguousarray(w, dtype="<f4").tobytes() for w in weights)
    model_json = {
        "format": "layers-model",
        "generatedBy": f"keras v{keras.__version__}",
        "convertedBy": "tools/interop/keras_fixture.py",
        "modelTopology": {
            "keras_version": keras.__version__,
            "backend": keras.backend.backend(),
            "model_config": {"class_name": "Sequential", "config": model.get_config()},
        },
        "weightsManifest": [{
            "paths": ["group1-shard1of1.bin"],
            "weights": [{"name": w.path, "shape": list(w.shape), "dtype": "float32"} for w in model.weights],
        }],
    }
    return {
        "name": name,
        "modelJson": model_json,
        "weightsBase64": base64.b64encode(data).decode("ascii"),
        "x": x.reshape(-1).tolist(),
        "xShape": list(x.shape),
        "y": y.reshape(-1).tolist(),
        "yShape": list(y.shape),
    }


L = keras.layers
cases = [
    case("gru-1-all-softmax", [keras.Input((T, I)), L.GRU(H, return_sequences=True), L.Dense(C, activation="softmax")]),
    case("gru-2-last-sigmoid", [keras.Input((T, I)), L.GRU(H, return_sequences=True), L.GRU(H), L.Dense(C, activation="sigmoid")]),
    case("gru-1-all-timedistributed-linear", [keras.Input((T, I)), L.GRU(H, return_sequences=True), L.TimeDistributed(L.Dense(C))]),
    case("lstm-2-last-linear", [keras.Input((T, I)), L.LSTM(H, return_sequences=True), L.LSTM(H), L.Dense(C)]),
    case("embedding-gru-1-last-softmax", [keras.Input((T,), dtype="int32"), L.Embedding(V, I), L.GRU(H), L.Dense(C, activation="softmax")], tokens=True),
]
json.dump({
    "generator": "tools/interop/keras_fixture.py",
    "keras": keras.__version__,
    "backend": keras.backend.backend(),
    "cases": cases,
}, sys.stdout)
sys.stdout.write("\n")
