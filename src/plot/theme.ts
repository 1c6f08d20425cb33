/** The shared look of this module's plots: readable font sizes on a white background. */
export const CONFIG = {
  background: 'white',
  font: 'Open Sans, Arial, Helvetica, sans-serif',
  title: { fontSize: 16, anchor: 'start' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
  legend: { labelFontSize: 12, titleFontSize: 13 },
  header: { labelFontSize: 13 },
} as const;

/** The `$schema` of every spec made here. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
