export function addTokenCases() {}
