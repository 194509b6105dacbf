'use strict';

// The agora-rtm-sdk versions the real-SDK mode supports (docs/real-sdk.md, "Supported SDK
// versions"). What each does differently from 2.3.0, measured with the oracle's real-SDK leg
// on the unmodified bundle of each version, is test/oracle/real-sdk-versions-notes.cjs,
// checked by test/oracle/sdk-versions.js and .ci/real-sdk-versions (every version).
//
// A version is supported when the seams of docs/real-sdk.md exist in it (its RTM instance's
// `_rtmImpl._rtmSession`, a session class with loginHandler, sendOperationPacket,
// sendOperationPacketUseOneEnv, onOperationPacket, logoutRegistrar, genApEdgeInfo$) and its
// oracle outcomes are measured and recorded (test/oracle/real-sdk.json for 2.3.0;
// test/oracle/real-sdk-<v>.json, the cases that differ from 2.3.0's, for the others).
//
// A difference's `cases` are the cases whose first-ranked cause it is (behaviour before key
// order and minified names); `harnessDependent`: the outcome depends on how the oracle's
// fake transport signals a reconnect or a failure to that version, so it is the harness's
// reading of the version more than a measured fact.

/** Supported versions, oldest first. */
const SUPPORTED_SDK_VERSIONS = Object.freeze(['2.2.3', '2.2.4', '2.3.0']);

/** Versions checked and refused: what the seam lacks (the evidence). */
const UNSUPPORTED_SDK_VERSIONS = Object.freeze({
  '2.2.0': 'no _rtmImpl (the RTM instance has rtmImpl); its session is rtmImpl.mainSession.registrarSession (a minified class), with loginHandler and per-operation requests (requestSetLock, requestGetMessages, sendTextMessage, ...) and no sendOperationPacket, sendOperationPacketUseOneEnv, onOperationPacket, genApEdgeInfo$',
  '2.2.1': 'no _rtmImpl (rtmImpl instead); session class RegistrarSession (rtmImpl.mainSession.registrarSession): loginHandler and per-operation requests, no sendOperationPacket, sendOperationPacketUseOneEnv, onOperationPacket, genApEdgeInfo$',
  '2.2.2': 'no _rtmImpl (rtmImpl instead); session class RegistrarSession (rtmImpl.mainSession.registrarSession): loginHandler, genApEdgeInfo$ and per-operation requests, no sendOperationPacket, sendOperationPacketUseOneEnv, onOperationPacket',
});

module.exports = { SUPPORTED_SDK_VERSIONS, UNSUPPORTED_SDK_VERSIONS };
