// Preloaded into the local emulators (node --require): forces every server socket onto 127.0.0.1,
// because kinesis-local offers no option for the listen address and binds all interfaces.
'use strict';
const net = require('net');
const host = process.env.LOCAL_SERVERS_HOST || '127.0.0.1';
const original = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args.length > 0 && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0])) {
    if (args[0].path === undefined) {
      args[0] = Object.assign({}, args[0], { host });
    }
  }
  else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === 'string') {
      args[1] = host;
    }
    else {
      args.splice(1, 0, host);
    }
  }
  return original.apply(this, args);
};
