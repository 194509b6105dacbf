// Types of rtm-emulator-client/node for `import` (node.js): declared in node.d.cts.

export * from './node.cjs';
