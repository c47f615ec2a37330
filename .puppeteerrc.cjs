// Puppeteer never downloads a browser here: the project uses Debian's chromium (/usr/bin/chromium),
// installed by scripts/setup-system.sh.
module.exports = { skipDownload: true, executablePath: '/usr/bin/chromium' };
