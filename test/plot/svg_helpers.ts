/** Small SVG inspection helpers for the plot tests (no XML parser among the dependencies). */

/**
 * Throws unless every tag of `svg` is closed in order (a well-formedness check of the element
 * structure: tags, nesting, a single root `<svg>`), and returns the number of elements.
 */
export function checkWellFormed(svg: string): number {
  const stack: string[] = [];
  let elements = 0;
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const between = svg.slice(last, m.index);
    if (between.includes('<')) throw new Error(`unparsed markup near offset ${last}: ${between.slice(between.indexOf('<'), between.indexOf('<') + 60)}`);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(between)) throw new Error(`bare & near offset ${last}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? 'nothing'}> at offset ${m.index}`);
      continue;
    }
    elements++;
    if (stack.length === 0) roots++;
    if (selfClosing !== '/') stack.push(name);
  }
  if (svg.slice(last).trim() !== '') throw new Error(`trailing content after the root element: ${svg.slice(last, last + 60)}`);
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1 || !svg.trimStart().startsWith('<svg')) throw new Error(`expected one <svg> root element, found ${roots}`);
  return elements;
}

/**
 * Number of child elements of every `<g>` whose class starts with `classPrefix` (e.g.
 * `'mark-symbol role-mark'`: the data points of a scatter panel), one count per such group.
 */
export function markCounts(svg: string, classPrefix: string): number[] {
  const counts: number[] = [];
  let from = 0;
  for (;;) {
    const at = svg.indexOf(`<g class="${classPrefix}`, from);
    if (at < 0) return counts;
    const open = svg.indexOf('>', at) + 1;
    const tag = /<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g;
    tag.lastIndex = open;
    let depth = 0;
    let children = 0;
    for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
      if (m[1] === '/') {
        if (depth === 0) break; // this group's own </g>
        depth--;
      } else {
        if (depth === 0) children++;
        if (m[3] !== '/') depth++;
      }
    }
    counts.push(children);
    from = open;
  }
}

/** The width and height attributes of the root `<svg>`. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (m === null) throw new Error('no width/height on <svg>');
  return { width: Number(m[1]), height: Number(m[2]) };
}
