export function addLockCases() {}
