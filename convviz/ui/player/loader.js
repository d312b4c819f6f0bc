// Shared by the player (player.js) and the slide maker (convviz/ui/slides.py): prepended to each component's JS.

// `src` is where the server serves plotly.js from the plotly package (convviz/ui/player/__init__.py, PLOTLY_SRC).
function loadPlotly(src, version) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__convvizPlotly) {
    window.__convvizPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `${src}?v=${encodeURIComponent(version)}`;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__convvizPlotly = null;
        reject(new Error(`plotly.js did not load from ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__convvizPlotly;
}

function decode(data) {
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return JSON.parse(new TextDecoder().decode(data));
  return typeof data === "string" ? JSON.parse(data) : data;
}
