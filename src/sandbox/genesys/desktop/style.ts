/** Style of the agent desktop (a file: the page's CSP allows no inline style). */
export const DESKTOP_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; background: #eef1f4; color: #1d2733; }
.bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.6rem 1rem;
  background: #1d2733; color: #fff; }
.bar h1 { font-size: 1.1rem; margin: 0 auto 0 0; }
.bar .org { font-weight: 400; color: #c4ccd4; margin-left: 0.5rem; }
.bar select { margin-left: 0.3rem; }
#desktop-error { margin: 0.5rem 1rem; padding: 0.5rem; background: #fde8e8; color: #8a1c1c; border-radius: 4px; }
.desk { display: grid; grid-template-columns: minmax(22rem, 1fr) minmax(24rem, 28rem); gap: 1rem; padding: 1rem; }
.panel { background: #fff; border-radius: 6px; padding: 1rem; box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); }
.panel h2 { font-size: 1rem; margin: 0 0 0.75rem; }
.place { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 0.5rem; align-items: end; }
.place label { display: grid; gap: 0.2rem; font-size: 0.85rem; font-weight: 600; min-width: 0; }
.place input, .place select, .place button { width: 100%; box-sizing: border-box; }
select, input, button { font: inherit; }
input, select { padding: 0.3rem; border: 1px solid #8a96a3; border-radius: 4px; }
button { padding: 0.35rem 0.8rem; border: 0; border-radius: 4px; background: #1a5fb4; color: #fff; cursor: pointer; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
#calls { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.4rem; }
#calls li { display: flex; gap: 0.5rem; align-items: center; padding: 0.5rem; border: 1px solid #d5dbe1; border-radius: 4px; }
#calls li.selected { border-color: #1a5fb4; background: #eaf1fb; }
#calls li[data-state="ended"] { color: #5c6773; }
#calls .info { flex: 1; font-size: 0.9rem; }
.hint { font-size: 0.85rem; color: #4a5664; }
#widget-area iframe { width: 100%; height: 34rem; border: 1px solid #d5dbe1; border-radius: 4px; background: #fff; }
#toasts { position: fixed; top: 3.5rem; right: 1rem; display: grid; gap: 0.5rem; width: 20rem; }
.toast { display: grid; grid-template-columns: 1fr auto; gap: 0.2rem; padding: 0.6rem 0.8rem; border-radius: 6px;
  background: #fff; border-left: 6px solid #1a5fb4; box-shadow: 0 2px 6px rgb(0 0 0 / 0.2); }
.toast-success { border-left-color: #1e7b34; }
.toast-error { border-left-color: #b42318; }
.toast-title { grid-column: 1; }
.toast-message { grid-column: 1; font-size: 0.9rem; }
.toast-close { grid-column: 2; grid-row: 1 / span 2; background: transparent; color: #1d2733; }
.log { font-size: 0.8rem; color: #4a5664; margin: 0 1rem 1rem; }
`;
