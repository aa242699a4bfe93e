// What the page remembers while it is open (never a key): the session and the chosen unit.
export const state = { session: null, unit: null, clockOffset: 0, route: 0 };
// ``route`` counts the pages opened: a page whose data arrives after the person has moved on
// to another (``stale``) is not drawn.

export function stale(route) {
  return route !== state.route;
}

export function may(role) {
  const roles = state.session ? state.session.roles : [];
  return roles.includes(role) || roles.includes("admin");
}
