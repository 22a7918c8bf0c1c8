// Renders each diagram in DIAGRAMS with mermaid, as GitHub does, and writes what a reader
// would see into <pre id="results">: the size, the texts, and which texts are hidden.
const WIDTH = 860; // a pull-request comment's width
const dashed = shape => !!shape && !['none', ''].includes(getComputedStyle(shape).strokeDasharray);
const overlap = (a, b) =>
  a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
(async () => {
  mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});
  const results = [];
  const out = document.getElementById('out');
  out.style.width = WIDTH + 'px';
  for (const [i, text] of DIAGRAMS.entries()) {
    try {
      const {svg} = await mermaid.render('d' + i, text);
      const holder = document.createElement('div');
      holder.innerHTML = svg;
      out.appendChild(holder);
      const el = holder.querySelector('svg');
      // As GitHub shows it: at its natural size, never wider than the comment.
      el.style.maxWidth = WIDTH + 'px';
      const vb = el.viewBox.baseVal;
      const nodes = [...holder.querySelectorAll('g.node')].map(n => n.getBoundingClientRect());
      const titles = [...holder.querySelectorAll('g.cluster')].map(c => {
        const label = c.querySelector('.cluster-label');
        const rect = label.getBoundingClientRect();
        const hidden = nodes.some(n => overlap(n, rect));
        return {text: label.textContent, hidden, dashed: dashed(c.querySelector('rect'))};
      });
      const labels = [...holder.querySelectorAll('g.edgeLabel')]
        .filter(l => l.textContent)
        .map(l => ({text: l.textContent, rect: l.getBoundingClientRect()}));
      const crossed = [];
      labels.forEach((a, j) => labels.slice(j + 1).forEach(b => {
        if (overlap(a.rect, b.rect)) crossed.push([a.text, b.text]);
      }));
      results.push({
        i, ok: true, width: vb.width, height: vb.height, titles, crossed,
        texts: [...holder.querySelectorAll('g.node')].map(t => t.textContent),
        // Mermaid draws an empty subgraph as a node.
        dashedNodes: [...holder.querySelectorAll('g.node')]
          .filter(n => dashed(n.querySelector('rect, path, polygon'))).length,
      });
      holder.remove();
    } catch (e) {
      results.push({i, ok: false, error: String((e && e.message) || e)});
    }
  }
  document.getElementById('results').textContent = JSON.stringify(results);
})();
