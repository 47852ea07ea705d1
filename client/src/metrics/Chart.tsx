import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { createEffect, For, onCleanup, onMount } from 'solid-js';

export interface ChartSeries {
  label: string;
  color: string;
  values: Array<number | null>;
  /** How a value reads in the text alternative and the legend. */
  format: (value: number | null) => string;
}

/**
 * One uPlot line chart with its text alternative (a table of the same figures). Deploys are
 * drawn as dashed vertical lines; clicking a point (or its row's button) picks that point.
 */
export function Chart(props: {
  title: string;
  times: number[];
  series: ChartSeries[];
  deploys?: Array<{ version: number; at: number }>;
  onPick?: (index: number) => void;
}) {
  let holder!: HTMLDivElement;
  let plot: uPlot | undefined;

  const deployLines = (u: uPlot) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#8a5cf6';
    ctx.setLineDash([4, 4]);
    ctx.fillStyle = '#5b3fb8';
    ctx.font = `${11 * devicePixelRatio}px sans-serif`;
    for (const deploy of props.deploys ?? []) {
      const x = Math.round(u.valToPos(deploy.at / 1000, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillText(`v${deploy.version}`, x + 3, u.bbox.top + 12 * devicePixelRatio);
    }
    ctx.restore();
  };

  const build = () => {
    plot?.destroy();
    const width = Math.max(240, holder.clientWidth);
    plot = new uPlot(
      {
        width,
        height: 200,
        series: [
          {},
          ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false, value: (_u: uPlot, v: number | null) => s.format(v) })),
        ],
        axes: [{}, { size: 56 }],
        legend: { show: true },
        hooks: { draw: [deployLines] },
      },
      [props.times.map((t) => t / 1000), ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      holder,
    );
    plot.over.addEventListener('click', () => {
      const index = plot?.cursor.idx;
      if (index !== null && index !== undefined) props.onPick?.(index);
    });
  };

  onMount(() => {
    // Charts follow the page's width (a phone included) instead of overflowing it.
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(240, holder.clientWidth), height: 200 }));
    observer.observe(holder);
    onCleanup(() => observer.disconnect());
  });
  createEffect(() => {
    void props.times;
    void props.series;
    void props.deploys;
    if (holder) build();
  });
  onCleanup(() => plot?.destroy());

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={holder} class="chart-canvas" aria-hidden="true" data-points={props.times.length} />
      <details class="chart-table">
        <summary>{props.title}: figures as a table</summary>
        <div class="table-scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <For each={props.series}>{(s) => <th scope="col">{s.label}</th>}</For>
                {props.onPick ? <th scope="col">Runs</th> : null}
              </tr>
            </thead>
            <tbody>
              <For each={props.times}>
                {(time, i) => (
                  <tr>
                    <th scope="row">{new Date(time).toLocaleString()}</th>
                    <For each={props.series}>{(s) => <td>{s.format(s.values[i()] ?? null)}</td>}</For>
                    {props.onPick ? (
                      <td>
                        <button type="button" class="link" onClick={() => props.onPick?.(i())}>
                          List runs
                        </button>
                      </td>
                    ) : null}
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
