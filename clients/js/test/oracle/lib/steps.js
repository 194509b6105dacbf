// The step builders of the case lists (cases.js, cases-messaging.js): one place for the
// shape of a step, `{who, call, args}` (README: "A step is one of ...").

export const ROOM = 'room';

export const actor = (uid, extra = {}) => ({ uid, ...extra });
export const nw = (who) => ({ who, call: 'new' });
export const call = (who, name, ...args) => ({ who, call: name, args });
export const login = (who) => call(who, 'login');
export const sub = (who, ch = ROOM, opts) =>
  opts === undefined ? call(who, 'subscribe', ch) : call(who, 'subscribe', ch, opts);
export const up = (who) => [nw(who), login(who)];
/** `who` constructed, logged in and subscribed to `ch` (default: ROOM) with `opts`. */
export const inRoom = (who, opts, ch = ROOM) => [nw(who), login(who), sub(who, ch, opts)];
