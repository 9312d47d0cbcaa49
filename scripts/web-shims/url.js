// `url` for @vscode/debugadapter in the web bundle (webpack.config.js): the library takes
// only URL from it, which a browser has as a global.
'use strict';
module.exports = { URL: globalThis.URL };
