#!/usr/bin/env node
'use strict';
// A container HEALTHCHECK: exits 0 when GET <url> answers 200 within 3 s, 1 otherwise.
//   node bin/healthcheck.js http://127.0.0.1:8080/healthz
const http = require('node:http');

const url = process.argv[2];
if (!url) {
  console.error('usage: healthcheck.js <url>');
  process.exit(2);
}
const request = http.get(url, { timeout: 3000 }, (response) => {
  response.resume();
  process.exitCode = response.statusCode === 200 ? 0 : 1;
  if (response.statusCode !== 200) console.error(`${url} answered ${response.statusCode}`);
});
request.on('timeout', () => request.destroy(new Error('no answer within 3 s')));
request.on('error', (error) => {
  console.error(`${url}: ${error.message}`);
  process.exitCode = 1;
});
