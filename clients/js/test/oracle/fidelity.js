// Generates docs/fidelity.md from an oracle run (oracle.js --docs). Deterministic: the text
// depends only on the case table, the known-gaps list and which cases agree.

import { EXCLUDED_FIELDS, MESSAGING_EXCLUDED_FIELDS } from './lib/runner.js';

const RULE_TITLES = {
  'R-C1': 'user ids and channel names',
  'R-C2': 'app id',
  'R-C3': 'RTMConfig',
  'R-Q2': 'whoNow, local route',
  'R-Q3': 'whoNow, server route and paging',
  'R-Q4': 'whoNow options and count-only',
  'R-Q5': 'whereNow',
  'R-Q6': 'getState routes',
  'R-S1': 'state values',
  'R-S3': 'state checks',
  'R-S4': 'the state cache',
  'R-L1': 're-entry',
  'R-L2': 'logout',
  'R-L3': 'login',
  'R-L4': 'channel limits',
  'R-L5': 'unsubscribe and leave when not in',
  'R-E1': 'SNAPSHOT',
  'R-E2': 'leaves',
  'R-E3': 'state changes',
  'R-E4': 'quiet users',
  'R-E5': 'interval mode',
  'R-E9': 'delivery while disconnected',
  'R-T3': 'calls while the link is down',
  'R-T4': 'link states',
  'R-X1': 'check order, codes, reasons',
  'R-M1': 'publish: check order, codes, sizes',
  'R-M2': 'publish: the result',
  'R-M4': 'USER messages, offline receivers',
  'R-M5': 'subscribe withMessage',
  'R-M6': 'the receive filter',
  'R-M7': 'the message event',
  'R-M9': 'fan-out and self-delivery',
  'R-M10': 'history.getMessages: checks',
  'R-M11': 'history.getMessages: results',
  'R-M12': 'topics: common checks',
  'R-M13': 'joinTopic',
  'R-M14': 'leaveTopic',
  'R-M15': 'subscribeTopic',
  'R-M16': 'unsubscribeTopic',
  'R-M17': 'getSubscribedUserList',
  'R-M18': 'publishTopicMessage',
  'R-M19': 'the topic message event',
  'R-M20': 'the topic event',
  'R-M21': 'leaving the stream channel',
  'R-M22': 'messages while the link is down',
  'R-M23': 'USER event channelName',
};

/** Behaviours the oracle cannot compare, with the reason (no case runs them). */
export const NOT_COMPARABLE = [
  ['R-E6', 'debounce of leaves', 'server timing: the SDK only parses `presence.debounce`; the emulator runs the oracle with debounce 0'],
  ['R-T2', 'when the server times a lost user out (REMOTE_TIMEOUT)', 'server timing: the SDK never decides it; no case stays down past heartbeatInterval + 10 + presenceTimeout'],
  ['R-C6', 'API rate limits', 'off in both legs (the SDK by ENABLE_API_RATE_LIMIT false; the emulator by default): the SDK counts wall-clock calls per second'],
  ['R-E8', 'presence outage and the registry fallback', 'needs a failing CRDT store; the fake store never fails'],
  ['R-L4', 'max_channel_users refusal (-11021 / -11007)', 'the refusal is the server\'s; the fake store accepts every GroupEnter'],
  ['R-Q2', 'order of users on the local route and in SNAPSHOT', 'the order of the CRDT collection is the server\'s; the fake store lists by user id (the emulator\'s rule), so agreement here checks the emulator against its own rule'],
  ['R-Q3', 'page order, `more` and `count` of the server route', 'the server\'s; the fake store answers with the emulator\'s rule (code-point order, exclusive start, count = occupancy)'],
  ['R-Q5', 'whereNow order', 'the server\'s; the fake store lists MESSAGE channels then STREAM channels, each by name (the emulator\'s rule)'],
  ['R-T4', 'the retry schedule after a loss', 'the fake transport replays the SDK\'s connection-controller schedule (2, 4, 8, 16, 32, 32 s then 30 s; 5 s per attempt); the link-state events on it are the SDK\'s own'],
  ['R-T4', 'other kick reasons (too frequent, kicked by server)', "no emulator control produces them (a token's expiry does: R-TK9, R-TK25)"],
  ['R-TK20', 'an app without a certificate', "the emulator takes every well-formed token; Agora's access point refuses a token for such an app (AP 14 `DYNAMIC_KEY_NOT_ENABLED`, -10003)"],
  ['R-TK5', 'a renew that revokes read permissions (READ_PERMISSION_REVOKED)', "the emulator's edge never revokes (RTM2 resource permissions, service 8, are out of scope: R-TK22)"],
  ['TOPN', 'TOPN mode (DocCount above the server threshold)', 'the threshold comes from the server; the emulator has no TOPN mode'],
];

/** Messaging behaviours the oracle cannot compare (listed once messaging cases are compared). */
export const MESSAGING_NOT_COMPARABLE = [
  ['R-M3', 'publish acks other than 0 / 8, lost acks, the 6 s re-send and the 10 / 13 s timeout (-11039, -11024, -11026)', 'the fake relay acks every publish (0, or 8 for an offline user); no emulator control loses or fails an ack'],
  ['R-M8', "the SDK's reorder hold (750 / 1500 ms) and de-duplication", 'the relay renumbers sequences per receiver (contiguous, as the emulator delivers), so the hold never fires'],
  ['R-M11', 'history failures (-15001, -15003, -15006)', 'the fake store never fails or refuses'],
  ['R-M13', 'RTC failures of joinTopic / leaveTopic / subscribeTopic (-11015, the errorCode-less leaveTopic error, errorCode 3)', 'the fake RTC never fails'],
  ['R-M15', 'which users beyond 64 a subscribeTopic takes, and their order', 'the SDK shuffles them (lodash, Math.random); the oracle makes that shuffle the identity inside subscribeTopic, and the cases list users in code-point order, the emulator\'s [ours] choice'],
];

const esc = (s) => String(s).replace(/\|/g, '\\|');

function family(id) {
  const parts = id.split('.');
  return parts.length > 2 ? parts.slice(0, -1).join('.') : parts[0];
}

export function fidelityMarkdown(run) {
  const { cases, results } = run;
  const byRule = new Map();
  for (const c of cases) {
    if (!results[c.id]) continue;
    if (!byRule.has(c.rule)) byRule.set(c.rule, new Map());
    const fams = byRule.get(c.rule);
    const f = family(c.id);
    if (!fams.has(f)) fams.set(f, { source: new Set(), cases: [] });
    fams.get(f).source.add(c.source);
    fams.get(f).cases.push(c);
  }
  const counts = { agree: 0, gap: 0, other: 0, nc: 0 };
  for (const r of Object.values(results)) {
    if (r.status === 'agree') counts.agree += 1;
    else if (r.status === 'gap') counts.gap += 1;
    else if (r.status === 'not-comparable') counts.nc += 1;
    else counts.other += 1;
  }
  const total = Object.keys(results).length;
  const lines = [];
  lines.push('# Fidelity: the emulator against the real SDK');
  lines.push('');
  lines.push('Generated by `node clients/js/test/oracle/oracle.js --docs` from one run of the oracle; do not');
  lines.push('edit by hand (`npm test` in `clients/js` fails when this file is stale).');
  lines.push('');
  lines.push('**How it is measured.** One table of cases (`clients/js/test/oracle/cases.json`) runs through');
  lines.push('');
  lines.push('1. the real `agora-rtm-sdk@2.3.0` bundle, loaded unmodified in Node with fake timers; only its');
  lines.push('   transport is stubbed, and a fake presence server behind it implements the emulator\'s server');
  lines.push('   decisions (document per visible user, code-point order, count = occupancy, whereNow from the');
  lines.push('   users\' documents, same-uid login drops the old session);');
  lines.push('2. the emulator\'s JS client (`clients/js/index.js`) against one `rtm-emulator serve`, reset between');
  lines.push('   cases with the control API.');
  lines.push('');
  lines.push('Per call the outcome is compared (the resolved object, or the rejection\'s `errorCode`,');
  lines.push('`operation`, `reason`, `name` and `serverCode`, or a plain exception\'s kind and message), and per');
  lines.push('client every presence and linkState event, with the step it arrived in. The real SDK\'s outcomes');
  lines.push('are recorded in `real-sdk.json`; disagreements the emulator is known to have are listed in');
  lines.push('`known-gaps.json`, which can only shrink (a listed case that agrees fails the run).');
  lines.push('');
  lines.push(`**Result:** ${total} cases: ${counts.agree} agree, ${counts.gap} known gaps${counts.other ? `, ${counts.other} unlisted disagreements` : ''}${counts.nc ? `, ${counts.nc} not comparable` : ''}.`);
  lines.push('');
  lines.push('Source: `runtime §N` = what `agora-rtm.js` 2.3.0 does, by topic: §1 state checks, §2 the state');
  lines.push('cache, §3 channel limits, §4 whoNow, §5 whereNow and getState, §6 presence events, §7 check order');
  lines.push('and calls while the link is down, §8 link states, §10 ids and configuration; `rule` = an emulator');
  lines.push('decision.');
  lines.push('');
  lines.push('## Not comparable');
  lines.push('');
  lines.push('| rule | behaviour | why |');
  lines.push('|---|---|---|');
  const messagingCompared = cases.some((c) => c.messaging && results[c.id]);
  for (const [rule, what, why] of messagingCompared ? [...NOT_COMPARABLE, ...MESSAGING_NOT_COMPARABLE] : NOT_COMPARABLE) lines.push(`| ${rule} | ${esc(what)} | ${esc(why)} |`);
  lines.push('');
  lines.push('## Fields left out of every comparison');
  lines.push('');
  lines.push('| field | why |');
  lines.push('|---|---|');
  // The messaging fields only once messaging cases are compared (skipped cases have no result).
  const excluded = messagingCompared ? { ...EXCLUDED_FIELDS, ...MESSAGING_EXCLUDED_FIELDS } : EXCLUDED_FIELDS;
  for (const [field, why] of Object.entries(excluded)) lines.push(`| \`${field}\` | ${esc(why)} |`);
  lines.push('');
  lines.push('## By rule');
  const rules = [...byRule.keys()].sort();
  for (const rule of rules) {
    lines.push('');
    lines.push(`### ${rule}${RULE_TITLES[rule] ? `: ${RULE_TITLES[rule]}` : ''}`);
    lines.push('');
    lines.push('| behaviour | source | cases | result |');
    lines.push('|---|---|---|---|');
    const gapsHere = [];
    for (const [fam, info] of [...byRule.get(rule)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const n = info.cases.length;
      const agree = info.cases.filter((c) => results[c.id].status === 'agree').length;
      const gap = info.cases.filter((c) => results[c.id].status === 'gap');
      const other = info.cases.filter((c) => !['agree', 'gap', 'not-comparable'].includes(results[c.id].status));
      const title = n === 1 ? info.cases[0].title : fam;
      const ids = n === 1 ? `\`${info.cases[0].id}\`` : `\`${fam}.*\` (${n})`;
      const nc = info.cases.filter((c) => results[c.id].status === 'not-comparable');
      let result;
      if (agree === n) result = 'agree';
      else if (n === 1 && nc.length) result = `not comparable: ${esc(results[nc[0].id].reason)}`;
      else if (n === 1) result = gap.length ? `known gap: ${esc(run.gaps[gap[0].id] ?? '')}` : 'disagrees (unlisted)';
      else {
        result = `${agree} agree, ${gap.length} known gaps${other.length ? `, ${other.length} unlisted` : ''}`;
        if (nc.length) result += `, ${nc.length} not comparable (${nc.map((c) => `\`${c.id}\``).join(', ')}: ${esc(results[nc[0].id].reason)})`;
      }
      lines.push(`| ${esc(title)} | ${[...info.source].sort().join(', ')} | ${ids} | ${result} |`);
      if (n > 1) for (const c of gap) gapsHere.push(c);
    }
    if (gapsHere.length) {
      lines.push('');
      lines.push('Known gaps:');
      lines.push('');
      for (const c of gapsHere) lines.push(`- \`${c.id}\`: ${run.gaps[c.id] ?? ''}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
