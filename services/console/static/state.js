// What the page remembers while it is open (never a key): the session and the chosen unit.
export const state = { session: null, unit: null, clockOffset: 0 };

export function may(role) {
  const roles = state.session ? state.session.roles : [];
  return roles.includes(role) || roles.includes("admin");
}
