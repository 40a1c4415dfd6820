/** Style of the Flex desktop (a file: the page's CSP allows no inline style element). */
export const FLEX_DESKTOP_CSS = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; background: #f4f4f6; color: #121c2d; }
.bar { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.6rem 1rem; background: #121c2d; color: #fff; }
.bar h1 { font-size: 1.1rem; margin: 0 auto 0 0; }
.bar .org { font-weight: 400; color: #c8cdd6; margin-left: 0.5rem; }
#desktop-error { margin: 0.5rem 1rem; padding: 0.5rem; background: #fde8e8; color: #8a1c1c; border-radius: 4px; }
.desk { display: grid; grid-template-columns: minmax(22rem, 1fr) minmax(24rem, 30rem); gap: 1rem; padding: 1rem; }
.panel { background: #fff; border-radius: 6px; padding: 1rem; box-shadow: 0 1px 3px rgb(0 0 0 / 0.12); }
.panel h2 { font-size: 1rem; margin: 0 0 0.75rem; }
.place { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 0.5rem; align-items: end; }
.place label { display: grid; gap: 0.2rem; font-size: 0.85rem; font-weight: 600; min-width: 0; }
.place input, .place select, .place button { width: 100%; box-sizing: border-box; }
select, input, button { font: inherit; }
input, select { padding: 0.3rem; border: 1px solid #8891aa; border-radius: 4px; }
button { padding: 0.35rem 0.8rem; border: 0; border-radius: 4px; background: #0263e0; color: #fff; cursor: pointer; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0263e0; outline-offset: 2px; }
#tasks { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.4rem; }
#tasks li { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; padding: 0.5rem; border: 1px solid #d8dbe3; border-radius: 4px; }
#tasks li.selected { border-color: #0263e0; background: #ebf4ff; }
#tasks .info { flex: 1 1 12rem; font-size: 0.9rem; }
#task-canvas { min-height: 20rem; border: 1px solid #d8dbe3; border-radius: 4px; }
#notifications { position: fixed; top: 3.5rem; right: 1rem; display: grid; gap: 0.5rem; width: 22rem; }
.toast { display: grid; grid-template-columns: 1fr auto; gap: 0.2rem; padding: 0.6rem 0.8rem; border-radius: 6px;
  background: #fff; border-left: 6px solid #0263e0; box-shadow: 0 2px 6px rgb(0 0 0 / 0.2); }
.toast-success { border-left-color: #14804a; }
.toast-error { border-left-color: #d61f1f; }
.toast-close { background: transparent; color: #121c2d; }
.log { font-size: 0.8rem; color: #4b5671; margin: 0 1rem 1rem; }
`;
