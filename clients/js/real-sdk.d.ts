// Types of rtm-emulator-client/real-sdk for `import` (real-sdk.js): declared in real-sdk.d.cts.

export * from './real-sdk.cjs';
