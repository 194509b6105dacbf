'use strict';

// What each supported agora-rtm-sdk version (lib/real-sdk-versions.cjs) does differently
// from 2.3.0, measured with the oracle's real-SDK leg (test/oracle/sdk/, one case table of
// 1651 cases) on the unmodified bundle of each version: data, checked by
// test/oracle/sdk-versions.js (every recorded difference of a version is one of its
// `differences`' cases) and .ci/real-sdk-versions (every version).
//
// A difference's `cases` are the cases whose first-ranked cause it is (behaviour before key
// order and minified names); `harnessDependent`: the outcome depends on how the oracle's
// fake transport signals a reconnect or a failure to that version, so it is the harness's
// reading of the version more than a measured fact.
/**
 * Per supported version: its session class and internals as the adapter meets them, the
 * oracle's numbers, and the behaviour differences from 2.3.0.
 */
const SDK_VERSION_NOTES = Object.freeze({
  '2.3.0': {
    sessionClass: 'AG',
    internals: { msgManager: true, userJoinedOn: 'internalEmitter', handleFailed: true },
    unknownParameters: [],
    oracle: { cases: 1651, sameAs230: 1651, differFrom230: 0, record: 'test/oracle/real-sdk.json' },
    differences: [],
  },
  '2.2.4': {
    sessionClass: 'RTMSession',
    internals: { msgManager: true, userJoinedOn: 'internalEmitter', handleFailed: true },
    unknownParameters: ['IGNORE_DUPLICATE_USER_ID_ERR', 'HISTORY_ENABLED', 'EXTEND_CHANNEL_NAME'],
    oracle: { cases: 1651, sameAs230: 1603, differFrom230: 48, record: 'test/oracle/real-sdk-2.2.4.json' },
    differences: [
      {
        cause: 'intervalNoTotalOccupancy',
        family: [
          'presence',
        ],
        '2.3.0': 'INTERVAL events carry interval.totalOccupancy',
        '2.2.4': 'no totalOccupancy field',
        cases: [
          'interval.exit-by-logout-and-timeout-free', 'interval.exit-flush',
          'interval.exit-then-reenter', 'interval.joins-aggregated',
          'interval.leave-and-rejoin-cancel', 'interval.logout-leaves',
          'interval.quiet-period-silent', 'interval.state-changes-aggregated',
          'interval.threshold-10', 'interval.threshold-16', 'interval.threshold-8',
          'interval.threshold-9', 'interval.two-watchers-own-timers',
        ],
      },
      {
        cause: 'unknownParameter',
        family: [
          'messaging', 'presence',
        ],
        '2.3.0': 'setParameter knows HISTORY_ENABLED, EXTEND_CHANNEL_NAME, IGNORE_DUPLICATE_USER_ID_ERR',
        '2.2.4': 'setParameter throws -10014 (Invalid parameter) for them: a case that sets one records that throw (harnessError)',
        cases: [
          'history.disabled.MESSAGE', 'history.disabled.STREAM', 'history.disabled.bad-name',
          'new.duplicate-user-id', 'publish.name.EXTEND.MESSAGE', 'publish.name.EXTEND.USER',
          'publish.order.bad-customType-history-off', 'publish.order.history-off-combined-too-long',
          'publish.order.history-off-false', 'publish.order.history-off-true',
          'publish.order.history-off-truthy-string', 'publish.order.history-off-zero',
        ],
      },
      {
        cause: 'malformedTokenInconsistentAppId',
        family: [
          'token', 'presence',
        ],
        '2.3.0': 'login/renewToken with a malformed token (undefined, "", "abc", null) rejects -10005 (Invalid token)',
        '2.2.4': 'rejects -10016 (Inconsistent app ID)',
        cases: [
          'login.options.token-bad', 'token.renew.order.connected.abc',
          'token.renew.order.connected.empty', 'token.renew.order.connected.null',
          'token.renew.order.connected.undefined', 'token.renew.order.disconnected.abc',
          'token.renew.order.disconnected.empty', 'token.renew.order.disconnected.null',
          'token.renew.order.disconnected.undefined', 'token.stream.renew.bad-name-bad-token',
        ],
      },
      {
        cause: 'failedReasonGeneric',
        family: [
          'token',
        ],
        '2.3.0': 'an AP refusal gives FAILED with the reason of its code ("Token expired", "Login not authorized")',
        '2.2.4': 'FAILED with reason "Login rejected"',
        cases: [
          'token.expiry.login-expired-again', 'token.login.refused.006-expired',
          'token.login.refused.expired', 'token.login.refused.no-rtm-privilege',
          'token.login.refused.privilege-expired',
        ],
      },
      {
        cause: 'subscribeWhileDownRejects',
        family: [
          'presence',
        ],
        '2.3.0': 'subscribe while the link is down stays pending and resolves on reconnect',
        '2.2.4': 'rejects -10025 (not connected); the reconnect event lacks the channel',
        cases: [
          'events.subscribe-while-down-cached', 'link.SUSPENDED.subscribe',
        ],
      },
      {
        cause: 'minifiedNameInTypeError',
        family: [
          'presence', 'storage',
        ],
        '2.3.0': 'a string where an array is expected rejects TypeError "n.forEach is not a function"',
        '2.2.4': 'the same TypeError with another minified variable name (cosmetic)',
        cases: [
          'state.remove.string-states.in-channel', 'state.remove.string-states.not-in-channel',
        ],
      },
      {
        cause: 'topicNameUncaught',
        family: [
          'messaging',
        ],
        '2.3.0': 'joinTopic with a non-string name rejects -11008',
        '2.2.4': 'the same rejection, and its report encoder (TopicJoin.encode) throws an uncaught TypeError',
        cases: [
          'topic.name.number', 'topic.name.object',
        ],
      },
      {
        cause: 'intervalSnapshotAtThreshold',
        family: [
          'presence',
        ],
        '2.3.0': 'the first INTERVAL after the threshold lists the new user only (join ["p7"], leave [])',
        '2.2.4': 'it also lists the watcher itself, in join and in leave (join ["p7","watcher"], leave ["watcher"])',
        cases: [
          'interval.snapshot-at-threshold',
        ],
      },
      {
        cause: 'topicMessageTwiceAfterRejoin',
        family: [
          'messaging',
        ],
        '2.3.0': 'after the publisher leaves and rejoins a subscribed topic, its message is delivered once',
        '2.2.4': 'delivered twice',
        cases: [
          'topic.subscribe.publisher-leaves',
        ],
      },
    ],
  },
  '2.2.3': {
    sessionClass: 'RTMSession',
    // no MsgManager (RTMImpl keeps _chatManager, _dialogueSequenceLru); the connection
    // controller emits "userJoined" on itself (RTMSession forwards it) instead of on the
    // internal emitter; no connectionController.handleFailed; no "connectedDatabase" event.
    internals: { msgManager: false, userJoinedOn: 'connectionController', handleFailed: false },
    unknownParameters: ['IGNORE_DUPLICATE_USER_ID_ERR', 'HISTORY_ENABLED', 'EXTEND_CHANNEL_NAME'],
    oracle: { cases: 1651, sameAs230: 1495, differFrom230: 156, record: 'test/oracle/real-sdk-2.2.3.json' },
    differences: [
      {
        cause: 'messageKeyOrder',
        family: [
          'messaging',
        ],
        '2.3.0': 'message events in key order {channelName,publisher,message,messageType,customType,channelType,topicName,timestamp}',
        '2.2.3': 'key order {channelName,channelType,topicName,message,publisher,messageType,customType,timestamp} (same values)',
        cases: [
          'history.results.MESSAGE-and-USER-apart', 'history.results.USER-conversation',
          'publish.channelType.MESSAGE', 'publish.channelType.USER', 'publish.channelType.empty',
          'publish.channelType.null', 'publish.channelType.options-null',
          'publish.channelType.options-string', 'publish.channelType.options-undefined',
          'publish.channelType.undefined', 'publish.channelType.zero', 'publish.customType.ct',
          'publish.customType.dot', 'publish.customType.e-acute-16', 'publish.customType.empty',
          'publish.customType.false', 'publish.customType.len32', 'publish.customType.null',
          'publish.customType.space', 'publish.customType.undefined', 'publish.customType.zero',
          'publish.fanout.beQuiet', 'publish.fanout.binary', 'publish.fanout.binary-compressed',
          'publish.fanout.buffer', 'publish.fanout.compressed', 'publish.fanout.echo-to-publisher',
          'publish.fanout.empty-bytes', 'publish.fanout.idle-sender',
          'publish.fanout.late-subscriber', 'publish.fanout.order', 'publish.fanout.other-app',
          'publish.fanout.publisher-not-subscribed', 'publish.fanout.publisher-withMessage-false',
          'publish.fanout.receiver-down-replay-limit', 'publish.fanout.receiver-link-down',
          'publish.fanout.resubscribe-false-to-true', 'publish.fanout.resubscribe-true-to-false',
          'publish.fanout.three-receivers', 'publish.fanout.two-channels',
          'publish.fanout.two-publishers', 'publish.fanout.withPresence-false',
          'publish.message.buffer', 'publish.message.multibyte', 'publish.message.text',
          'publish.message.uint8array', 'publish.message.uint8array-empty',
          'publish.user.binary-customType', 'publish.user.subscribed-elsewhere',
          'publish.user.target-link-down', 'publish.user.target-logs-in-later',
          'publish.user.to-bob', 'publish.user.to-self', 'publish.user.two-in-order',
        ],
      },
      {
        cause: 'storageEventKeyOrder',
        family: [
          'storage',
        ],
        '2.3.0': 'storage events in key order {channelName|channelType,...,storageType,eventType,data,timestamp}',
        '2.2.3': 'eventType after data, and USER events {channelType,channelName,...} (same values)',
        cases: [
          'storage.events.cas-conflict-no-event', 'storage.events.logout-login',
          'storage.events.reconnect-latest', 'storage.events.reconnect-no-change',
          'storage.events.resubscribe-snapshot', 'storage.events.snapshot-empty',
          'storage.events.snapshot-then-updates', 'storage.events.stream-join',
          'storage.events.stream-not-message', 'storage.events.three-subscribers',
          'storage.events.turn-off', 'storage.events.turn-on-later', 'storage.events.unsubscribe',
          'storage.fault.code-1', 'storage.rate.userMetaSub', 'storage.usersub.down-no-change',
          'storage.usersub.down-then-up', 'storage.usersub.limit-50',
          'storage.usersub.logout-forgets', 'storage.usersub.no-change-silent',
          'storage.usersub.others-write', 'storage.usersub.self', 'storage.usersub.snapshot-empty',
          'storage.usersub.snapshot-then-update', 'storage.usersub.twice',
          'storage.usersub.unsubscribe', 'storage.usersub.unsubscribe-resubscribe',
        ],
      },
      {
        cause: 'idleAffectedChannelsEmpty',
        family: [
          'presence', 'messaging', 'token',
        ],
        '2.3.0': 'the logout IDLE event lists the subscribed channels in affectedChannels',
        '2.2.3': 'affectedChannels []',
        cases: [
          'events.leave-by-logout', 'link.CONNECTED.logout', 'link.CONNECTING.logout',
          'link.DISCONNECTED.logout', 'link.FAILED.logout', 'link.SUSPENDED.logout',
          'link.transitions.logout-clears-state', 'link.transitions.logout-twice',
          'publish.fanout.receiver-down-logout', 'publish.link.logged-out.USER',
          'publish.link.logged-out.getMessages', 'publish.link.logged-out.publish',
          'token.expiry.logout-first',
        ],
      },
      {
        cause: 'intervalNoTotalOccupancy',
        family: [
          'presence',
        ],
        '2.3.0': 'INTERVAL events carry interval.totalOccupancy',
        '2.2.3': 'no totalOccupancy field',
        cases: [
          'interval.exit-by-logout-and-timeout-free', 'interval.exit-flush',
          'interval.exit-then-reenter', 'interval.joins-aggregated',
          'interval.leave-and-rejoin-cancel', 'interval.logout-leaves',
          'interval.quiet-period-silent', 'interval.state-changes-aggregated',
          'interval.threshold-10', 'interval.threshold-16', 'interval.threshold-8',
          'interval.threshold-9', 'interval.two-watchers-own-timers',
        ],
      },
      {
        cause: 'unknownParameter',
        family: [
          'messaging', 'presence',
        ],
        '2.3.0': 'setParameter knows HISTORY_ENABLED, EXTEND_CHANNEL_NAME, IGNORE_DUPLICATE_USER_ID_ERR',
        '2.2.3': 'setParameter throws -10014 (Invalid parameter) for them: a case that sets one records that throw (harnessError)',
        cases: [
          'history.disabled.MESSAGE', 'history.disabled.STREAM', 'history.disabled.bad-name',
          'new.duplicate-user-id', 'publish.name.EXTEND.MESSAGE', 'publish.name.EXTEND.USER',
          'publish.order.bad-customType-history-off', 'publish.order.history-off-combined-too-long',
          'publish.order.history-off-false', 'publish.order.history-off-true',
          'publish.order.history-off-truthy-string', 'publish.order.history-off-zero',
        ],
      },
      {
        cause: 'minifiedNameInTypeError',
        family: [
          'presence', 'storage',
        ],
        '2.3.0': 'a string where an array is expected rejects TypeError "n.forEach is not a function"',
        '2.2.3': 'the same TypeError with another minified variable name (cosmetic)',
        cases: [
          'storage.items.removeChannelMetadata.data-object',
          'storage.items.removeChannelMetadata.data-string',
          'storage.items.removeChannelMetadata.item-null',
          'storage.items.removeUserMetadata.data-object',
          'storage.items.removeUserMetadata.data-string',
          'storage.items.removeUserMetadata.item-null',
          'storage.items.setChannelMetadata.data-object',
          'storage.items.setChannelMetadata.data-string',
          'storage.items.updateChannelMetadata.data-object',
          'storage.items.updateChannelMetadata.data-string',
        ],
      },
      {
        cause: 'otherAppTokenInvalidToken',
        family: [
          'token',
        ],
        '2.3.0': 'a well-formed token of another app id rejects -10016 (Inconsistent app ID)',
        '2.2.3': 'rejects -10005 (Invalid token)',
        cases: [
          'token.login.refused.client-other-app', 'token.renew.order.connected.006-other-app',
          'token.renew.order.connected.007-other-app',
          'token.renew.order.disconnected.006-other-app',
          'token.renew.order.disconnected.007-other-app', 'token.stream.join.other-app',
        ],
      },
      {
        cause: 'failedReasonGeneric',
        family: [
          'token',
        ],
        '2.3.0': 'an AP refusal gives FAILED with the reason of its code ("Token expired", "Login not authorized")',
        '2.2.3': 'FAILED with reason "Login rejected"',
        cases: [
          'token.expiry.login-expired-again', 'token.login.refused.006-expired',
          'token.login.refused.expired', 'token.login.refused.no-rtm-privilege',
          'token.login.refused.privilege-expired',
        ],
      },
      {
        cause: 'streamJoinWhileDownSnapshotFirst',
        family: [
          'presence',
        ],
        '2.3.0': 'stream.join while the link is down: its SNAPSHOT comes after the reconnect',
        '2.2.3': 'the SNAPSHOT comes at once, before the link events',
        harnessDependent: true,
        cases: [
          'link.CONNECTING.stream-join', 'link.DISCONNECTED.stream-join',
          'link.SUSPENDED.stream-join',
        ],
      },
      {
        cause: 'reloginWhileDownIsReconnect',
        family: [
          'presence',
        ],
        '2.3.0': 'login while DISCONNECTED ends in CONNECTED with operation LOGIN, reason RELOGIN',
        '2.2.3': 'operation AUTO_RECONNECT, reason RECONNECT_SUCCESS (the harness\'s reconnect signal; see harnessDependent)',
        harnessDependent: true,
        cases: [
          'link.DISCONNECTED.login', 'link.SUSPENDED.login',
        ],
      },
      {
        cause: 'subscribeWhileDownRejects',
        family: [
          'presence',
        ],
        '2.3.0': 'subscribe while the link is down stays pending and resolves on reconnect',
        '2.2.3': 'rejects -10025 (not connected); the reconnect event lacks the channel',
        cases: [
          'events.subscribe-while-down-cached', 'link.SUSPENDED.subscribe',
        ],
      },
      {
        cause: 'topicNameUncaught',
        family: [
          'messaging',
        ],
        '2.3.0': 'joinTopic with a non-string name rejects -11008',
        '2.2.3': 'the same rejection, and its report encoder (TopicJoin.encode) throws an uncaught TypeError',
        cases: [
          'topic.name.number', 'topic.name.object',
        ],
      },
      {
        cause: 'unsubscribeUserMetadataWhileDown',
        family: [
          'storage',
        ],
        '2.3.0': 'unsubscribeUserMetadata while down resolves / rejects -12015 (without subscribe)',
        '2.2.3': 'rejects -10025 (not connected)',
        cases: [
          'storage.link.DISCONNECTED.unsubscribeUserMetadata',
          'storage.usersub.unsubscribe-while-down',
        ],
      },
      {
        cause: 'streamJoinFailedSnapshotHasSelf',
        family: [
          'presence',
        ],
        '2.3.0': 'stream.join after FAILED: SNAPSHOT without the joiner',
        '2.2.3': 'SNAPSHOT with the joiner itself',
        harnessDependent: true,
        cases: [
          'link.FAILED.stream-join',
        ],
      },
      {
        cause: 'intervalSnapshotAtThreshold',
        family: [
          'presence',
        ],
        '2.3.0': 'the first INTERVAL after the threshold lists the new user only (join ["p7"], leave [])',
        '2.2.3': 'it also lists the watcher itself, in join and in leave (join ["p7","watcher"], leave ["watcher"])',
        cases: [
          'interval.snapshot-at-threshold',
        ],
      },
      {
        cause: 'topicMessageTwiceAfterRejoin',
        family: [
          'messaging',
        ],
        '2.3.0': 'after the publisher leaves and rejoins a subscribed topic, its message is delivered once',
        '2.2.3': 'delivered twice',
        cases: [
          'topic.subscribe.publisher-leaves',
        ],
      },
      {
        cause: 'noRtmPrivilegeIs10012',
        family: [
          'token',
        ],
        '2.3.0': 'renewToken with a token lacking the RTM privilege rejects -10015',
        '2.2.3': 'rejects -10012',
        cases: [
          'token.renew.refused.no-rtm-privilege',
        ],
      },
      {
        cause: 'harnessNoHandleFailed',
        family: [
          'token',
        ],
        '2.3.0': 'token lapsed while down: the rejoin fails through the connection controller\'s handleFailed',
        '2.2.3': 'no handleFailed in 2.2.3: the oracle harness cannot drive the case (harnessError)',
        harnessDependent: true,
        cases: [
          'token.expiry.while-down',
        ],
      },
    ],
  },
});

module.exports = { SDK_VERSION_NOTES };
