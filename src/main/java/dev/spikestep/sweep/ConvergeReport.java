package dev.spikestep.sweep;

import dev.spikestep.io.ResultsWriter;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts and tables of a {@code converge} study, in the sweep report's style (XChart PNG + SVG,
 * the PNGs embedded in a self-contained {@code converge.html}, and {@code converge.md}): per neuron
 * variant and input, the error against dt (log-log, one line per integrator and K, the fitted order
 * in the legend) and the error against the cost of simulating one unit of time (ns per neuron-step
 * over dt, the Pareto front marked), and the cheapest (integrator, K, dt) for a few error targets.
 */
public final class ConvergeReport {
    /** The error targets of the cheapest-choice table (v_rmse, in units of the potential). */
    public static final double[] TARGETS = {1e-1, 1e-2, 1e-3, 1e-4};

    private ConvergeReport() {
    }

    static String fmtDt(double dt) {
        return String.format(Locale.ROOT, "%.4g", dt);
    }

    /** Writes the charts, converge.md and converge.html into {@code out}; returns the HTML file. */
    public static Path write(List<Converge.Row> rows, List<Converge.Order> orders, Path out) {
        Map<String, List<Converge.Row>> panels = new LinkedHashMap<>(); // variant + input
        for (Converge.Row r : rows) {
            panels.computeIfAbsent(r.variant() + " / " + r.input(), k -> new ArrayList<>()).add(r);
        }
        List<String[]> charts = new ArrayList<>(); // stem, title, caption
        for (Map.Entry<String, List<Converge.Row>> p : panels.entrySet()) {
            String stem = p.getKey().replace(" / ", "_").replace(' ', '_');
            Report.save(errorVsDt(p.getKey(), p.getValue(), orders), out, "error_dt_" + stem);
            charts.add(new String[] {"error_dt_" + stem, "v_rmse vs dt: " + p.getKey(),
                "Sub-threshold RMS error against the float64 rk4 reference (log-log); the legend gives the fitted order. "
                    + "Diverged rows (non-finite states) are left out and listed below."});
            Report.save(errorVsCost(p.getKey(), p.getValue()), out, "error_cost_" + stem);
            charts.add(new String[] {"error_cost_" + stem, "v_rmse vs cost: " + p.getKey(),
                "Each (integrator, K, dt) at its cost per unit of simulated time (ns per neuron-step / dt, measured in "
                    + "this run); the black line is the Pareto front (nothing both cheaper and more accurate)."});
        }
        String md = markdown(rows, orders, panels);
        ResultsWriter.replace(out.resolve("converge.md"), md);
        Path html = out.resolve("converge.html");
        ResultsWriter.replace(html, html(md, charts, out));
        return html;
    }

    private static boolean plottable(Converge.Row r) {
        return !r.diverged() && r.vRmse() > 0;
    }

    private static XYChart errorVsDt(String panel, List<Converge.Row> rows, List<Converge.Order> orders) {
        XYChart c = new XYChartBuilder().width(900).height(560).title("v_rmse vs dt: " + panel)
                .xAxisTitle("dt (log scale)").yAxisTitle("v_rmse (log scale)").build();
        Report.style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("0.#E0");
        c.getStyler().setXAxisDecimalPattern("0.###");
        Map<String, List<Converge.Row>> curves = curves(rows);
        int i = 0;
        for (Map.Entry<String, List<Converge.Row>> e : curves.entrySet()) {
            List<Converge.Row> pts = e.getValue().stream().filter(ConvergeReport::plottable)
                    .sorted(Comparator.comparingDouble(Converge.Row::dt)).toList();
            if (pts.isEmpty()) {
                continue;
            }
            Converge.Row f = e.getValue().get(0);
            Converge.Order o = orders.stream().filter(x -> x.model().equals(f.model()) && x.decayInput().equals(f.decayInput())
                    && x.integrator().equals(f.integrator()) && x.substeps() == f.substeps() && x.input().equals(f.input()))
                    .findFirst().orElse(null);
            String order = o == null || !Double.isFinite(o.order()) ? (o != null && o.note().startsWith(Converge.AT_ROUNDING) ? "exact" : "-")
                    : String.format(Locale.ROOT, "%.2f", o.order());
            XYSeries s = c.addSeries(e.getKey() + " (order " + order + ")", pts.stream().mapToDouble(Converge.Row::dt).toArray(),
                    pts.stream().mapToDouble(Converge.Row::vRmse).toArray());
            s.setLineColor(Report.PALETTE[i % Report.PALETTE.length]);
            s.setMarkerColor(Report.PALETTE[i % Report.PALETTE.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
            i++;
        }
        return c;
    }

    private static XYChart errorVsCost(String panel, List<Converge.Row> rows) {
        XYChart c = new XYChartBuilder().width(900).height(560).title("v_rmse vs cost: " + panel)
                .xAxisTitle("ns per neuron per unit of time (log scale)").yAxisTitle("v_rmse (log scale)").build();
        Report.style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("0.#E0");
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        int i = 0;
        for (Map.Entry<String, List<Converge.Row>> e : curves(rows).entrySet()) {
            List<Converge.Row> pts = e.getValue().stream().filter(ConvergeReport::plottable).toList();
            if (pts.isEmpty()) {
                continue;
            }
            XYSeries s = c.addSeries(e.getKey(), pts.stream().mapToDouble(Converge.Row::nsPerTime).toArray(),
                    pts.stream().mapToDouble(Converge.Row::vRmse).toArray());
            s.setMarkerColor(Report.PALETTE[i % Report.PALETTE.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
            i++;
        }
        List<Converge.Row> front = pareto(rows);
        if (!front.isEmpty()) {
            XYSeries s = c.addSeries("Pareto front", front.stream().mapToDouble(Converge.Row::nsPerTime).toArray(),
                    front.stream().mapToDouble(Converge.Row::vRmse).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setLineColor(Color.BLACK);
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /** One curve per integrator and K, in the rows' order. */
    private static Map<String, List<Converge.Row>> curves(List<Converge.Row> rows) {
        Map<String, List<Converge.Row>> out = new LinkedHashMap<>();
        for (Converge.Row r : rows) {
            out.computeIfAbsent(r.integrator() + (r.substeps() > 1 ? " x" + r.substeps() : ""), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** The rows that no other row beats in both cost per unit time and error, by increasing cost. */
    static List<Converge.Row> pareto(List<Converge.Row> rows) {
        List<Converge.Row> sorted = rows.stream().filter(ConvergeReport::plottable)
                .sorted(Comparator.comparingDouble(Converge.Row::nsPerTime).thenComparingDouble(Converge.Row::vRmse)).toList();
        List<Converge.Row> front = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (Converge.Row r : sorted) {
            if (r.vRmse() < best) {
                front.add(r);
                best = r.vRmse();
            }
        }
        return front;
    }

    /** The cheapest non-diverged row (per unit of time) with v_rmse at most {@code target}, or null. */
    static Converge.Row cheapest(List<Converge.Row> rows, double target) {
        return rows.stream().filter(r -> !r.diverged() && r.vRmse() <= target)
                .min(Comparator.comparingDouble(Converge.Row::nsPerTime)).orElse(null);
    }

    private static String markdown(List<Converge.Row> rows, List<Converge.Order> orders, Map<String, List<Converge.Row>> panels) {
        StringBuilder sb = new StringBuilder("# Integration error against cost\n\n");
        sb.append("## Cheapest (integrator, K, dt) for an error target\n\n");
        sb.append("Cost per unit of simulated time = ns per neuron-step / dt; only rows whose states stayed finite.\n\n");
        sb.append("| neuron / input |");
        for (double t : TARGETS) {
            sb.append(String.format(Locale.ROOT, " v_rmse <= %.0e |", t));
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(TARGETS.length)).append('\n');
        for (Map.Entry<String, List<Converge.Row>> p : panels.entrySet()) {
            sb.append("| ").append(p.getKey()).append(" |");
            for (double t : TARGETS) {
                Converge.Row r = cheapest(p.getValue(), t);
                sb.append(r == null ? " none in the grid |" : String.format(Locale.ROOT, " %s K=%d dt=%s (%.3g ns) |",
                        r.integrator(), r.substeps(), fmtDt(r.dt()), r.nsPerTime()));
            }
            sb.append('\n');
        }
        sb.append("\n## Convergence orders\n\n| neuron | integrator | K | input | order | rows fitted | v_rmse max | note |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (Converge.Order o : orders) {
            sb.append(String.format(Locale.ROOT, "| %s%s | %s | %d | %s | %s | %d | %s | %s |%n", o.model(),
                    o.decayInput().equals("false") ? " nodecay" : "", o.integrator(), o.substeps(), o.input(),
                    Double.isFinite(o.order()) ? String.format(Locale.ROOT, "%.2f", o.order()) : "-", o.points(),
                    Converge.fmtE(o.vRmseMax()), o.note().isEmpty() ? "" : o.note()));
        }
        List<Converge.Row> div = rows.stream().filter(Converge.Row::diverged).toList();
        sb.append("\n## Diverged rows\n\n");
        if (div.isEmpty()) {
            sb.append("None: every run's states stayed finite.\n");
        } else {
            sb.append("| neuron | integrator | K | dt | input | nonfinite_frac |\n|---|---|---|---|---|---|\n");
            for (Converge.Row r : div) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.3f |%n", r.variant(), r.integrator(),
                        r.substeps(), fmtDt(r.dt()), r.input(), r.nonfiniteFrac()));
            }
        }
        return sb.toString();
    }

    private static String html(String md, List<String[]> charts, Path out) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>converge</title>"
                + "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td.l,th.l{text-align:left}"
                + "img{max-width:100%}figcaption{color:#555;font-size:90%}</style></head><body>\n"
                + "<h1>Integration error against cost</h1>\n");
        for (String block : md.split("\n## ")) {
            if (block.startsWith("# ")) {
                continue;
            }
            int nl = block.indexOf('\n');
            sb.append("<h2>").append(Report.esc(block.substring(0, nl))).append("</h2>\n");
            List<String> table = new ArrayList<>();
            for (String line : block.substring(nl + 1).split("\n")) {
                if (line.startsWith("|")) {
                    table.add(line);
                } else if (!line.isBlank()) {
                    sb.append("<p>").append(Report.esc(line)).append("</p>\n");
                }
            }
            if (!table.isEmpty()) {
                sb.append(Report.mdTableToHtml(String.join("\n", table)));
            }
        }
        for (String[] c : charts) {
            sb.append(Report.figure(out, c));
        }
        return sb.append("<p>Data: converge.csv and orders.csv next to this report.</p>\n</body></html>\n").toString();
    }
}
