/*
 * A chart view for YASGUI's results (a YASR plugin of this project: YASGUI's own
 * ecosystem has none in the npm registry), drawn with Chart.js from npm. It offers
 * itself when a SELECT result has a numeric column: one bar per row, labelled by the
 * first column that is not numeric (IRIs by their prefixed name), one series per
 * numeric column. Chart.js draws on a canvas, with no eval: it works under the CSP.
 */
"use strict";

(function () {
  if (typeof Yasgui === "undefined" || typeof Chart === "undefined") {
    return;
  }
  const MAX_ROWS = 1000;

  function isNumber(term) {
    return (
      term &&
      (term.type === "literal" || term.type === "typed-literal") &&
      term.value.trim() !== "" &&
      Number.isFinite(Number(term.value))
    );
  }

  class ChartPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = "Chart";
      this.chart = null;
    }

    columns() {
      const results = this.yasr.results;
      const variables = results.getVariables() || [];
      const rows = results.getBindings() || [];
      const numeric = variables.filter(
        (v) => rows.some((r) => r[v]) && rows.every((r) => !r[v] || isNumber(r[v]))
      );
      const label = variables.find((v) => !numeric.includes(v));
      return { label, numeric, rows };
    }

    canHandleResults() {
      const results = this.yasr.results;
      if (!results || typeof results.getBindings !== "function") {
        return false;
      }
      const rows = results.getBindings();
      return !!rows && rows.length > 0 && rows.length <= MAX_ROWS && this.columns().numeric.length > 0;
    }

    name(term) {
      if (!term) {
        return "";
      }
      if (term.type === "uri") {
        const prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : {};
        for (const [prefix, iri] of Object.entries(prefixes || {})) {
          if (term.value.startsWith(iri)) {
            return `${prefix}:${term.value.slice(iri.length)}`;
          }
        }
      }
      return term.value;
    }

    draw() {
      const { label, numeric, rows } = this.columns();
      const box = document.createElement("div");
      box.className = "kg-chart";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `Bar chart of ${numeric.join(", ")}`);
      box.appendChild(canvas);
      this.yasr.resultsEl.appendChild(box);
      const labels = rows.map((r, i) => (label ? this.name(r[label]) : String(i + 1)));
      const horizontal = rows.length > 12;
      box.style.height = horizontal ? `${Math.max(300, rows.length * 22)}px` : "360px";
      this.chart = new Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: numeric.map((v) => ({
            label: v,
            data: rows.map((r) => (r[v] ? Number(r[v].value) : null)),
          })),
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          plugins: { legend: { display: numeric.length > 1 } },
        },
      });
    }

    getIcon() {
      const icon = document.createElement("span");
      icon.className = "kg-chart-icon";
      icon.textContent = "▮";
      return icon;
    }

    destroy() {
      if (this.chart) {
        this.chart.destroy();
        this.chart = null;
      }
    }
  }

  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
})();
