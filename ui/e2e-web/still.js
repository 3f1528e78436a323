// Whether the element `css` has stood still (its CSS transform and its box unchanged) for `quiet`
// milliseconds, as seen from the page: React Flow's viewport after a fit or a zoom. The body of a
// function called with one argument, [css, quiet], again and again by a wait of the end-to-end
// tests (e2e-web/smoke.mjs, src-tauri/tests/driver); it keeps what it saw on `window`.
const [css, quiet] = arguments[0];
const e = document.querySelector(css);
if (!e) return false;
const r = e.getBoundingClientRect();
const now = `${getComputedStyle(e).transform} ${r.x} ${r.y} ${r.width} ${r.height}`;
const seen = (window.__stridewiseStill ??= {});
const last = seen[css];
if (!last || last.value !== now) {
  seen[css] = { value: now, since: performance.now() };
  return false;
}
return performance.now() - last.since >= quiet;
