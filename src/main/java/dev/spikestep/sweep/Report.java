package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of a sweep directory: charts (XChart, PNG and SVG, the PNGs also embedded in a
 * self-contained {@code report.html}) and a summary table ({@code summary.md}, {@code summary.csv}).
 * Runs are grouped by every parameter that varies over the sweep except {@code dt} and
 * {@code seed}, so a group is one curve (model/integrator, and readout or T where those vary) and
 * its seeds give the spread. Diverged runs ({@code final_nonfinite > 0}) are marked on the charts
 * against dt and listed; rows without {@code final_nonfinite} (R-STDP's) are "not recorded", never "none".
 */
public final class Report {
    /** Metrics the charts and tables read from each run row. */
    static final String ACC = "final_acc";
    static final String RATE = "final_mean_spike_rate";
    static final String SILENT = "final_silent_frac";
    static final String NONFINITE = "final_nonfinite";
    static final String SPE = "seconds_per_epoch";

    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
        new Color(188, 189, 34), new Color(23, 190, 207), new Color(57, 59, 121), new Color(173, 73, 74),
        new Color(99, 121, 57)};
    private static final Color DIVERGED = new Color(214, 39, 40);

    /** One row of the summary: a group at one dt. */
    record Cell(String group, Map<String, Object> keys, double dt, List<Map<String, Object>> runs) {
        int n() {
            return runs.size();
        }

        double[] values(String metric) {
            return runs.stream().mapToDouble(r -> num(r.get(metric))).toArray();
        }

        long diverged() {
            return runs.stream().filter(Report::diverged).count();
        }
    }

    private final Path dir;
    private final Path outDir;
    private final SweepResults results;
    private final List<String> groupKeys;
    private final List<String> summaryKeys;
    private final List<Cell> cells;
    private final List<String> groups;
    private final boolean singleDt;

    public Report(Path dir, Path outDir) {
        this.dir = dir;
        this.outDir = outDir;
        SweepResults.requireDirectory("", dir);
        this.results = SweepResults.load(dir);
        SweepResults.requireFinishedMerge("", dir, results.manifest());
        if (results.runs().isEmpty()) {
            String notASweep = SweepResults.notASweep(dir, results.manifest());
            if (notASweep != null && !SweepResults.nonEmpty(dir.resolve(SweepResults.RUNS))) {
                throw new SpikestepException(notASweep + "; report the directory of a 'spikestep sweep' or "
                        + "'spikestep merge'");
            }
            String unreadable = results.skippedLines() == 0 ? ""
                    : "; " + results.skippedLines() + " line(s) of its JSONL files could not be read";
            throw new SpikestepException(dir + " holds no finished runs (no " + SweepResults.RUNS
                    + " rows" + unreadable + "); run 'spikestep sweep' into it first, or merge its shards");
        }
        String experiment = String.valueOf(results.runs().get(0).get("experiment"));
        List<String> params = ExperimentSchema.NAMES.contains(experiment)
                ? new ArrayList<>(ExperimentSchema.of(experiment).params().keySet()) : List.of("dt");
        groupKeys = new ArrayList<>();
        for (String k : params) {
            if (!k.equals("dt") && !k.equals("seed")
                    && results.runs().stream().map(r -> String.valueOf(r.get(k))).distinct().count() > 1) {
                groupKeys.add(k);
            }
        }
        if (experiment.equals("train")) {
            // Always name the model and integrator, as the notebook's tables do.
            groupKeys.removeAll(List.of("model", "integrator"));
            groupKeys.addAll(0, List.of("model", "integrator"));
        }
        summaryKeys = new ArrayList<>(groupKeys);
        for (String k : List.of("T", "readout")) {
            if (params.contains(k) && !summaryKeys.contains(k)) {
                summaryKeys.add(k);
            }
        }
        Map<String, Cell> byCell = new LinkedHashMap<>();
        Set<String> g = new LinkedHashSet<>();
        for (Map<String, Object> r : results.runs()) {
            String group = groupLabel(r);
            g.add(group);
            double dt = num(r.get("dt"));
            Map<String, Object> keys = new LinkedHashMap<>();
            summaryKeys.forEach(k -> keys.put(k, r.get(k)));
            byCell.computeIfAbsent(group + "@" + dt, x -> new Cell(group, keys, dt, new ArrayList<>())).runs().add(r);
        }
        cells = new ArrayList<>(byCell.values());
        groups = new ArrayList<>(g);
        singleDt = cells.stream().map(Cell::dt).distinct().count() == 1;
    }

    private String groupLabel(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        for (String k : groupKeys) {
            if (k.equals("integrator") && groupKeys.contains("model")) {
                sb.append('/').append(r.get(k));
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k.equals("model") ? "" : k + "=").append(fmt(r.get(k)));
        }
        return sb.length() == 0 ? "all runs" : sb.toString();
    }

    /** Lines of the directory's JSONL files that could not be read (their runs are not in the report). */
    public int skippedLines() {
        return results.skippedLines();
    }

    /** Every file a report may write: an earlier report's are replaced as a whole, nothing else is touched. */
    static final List<String> FILES;

    static {
        List<String> f = new ArrayList<>(List.of("report.html", "summary.md", "summary.csv", "transfer.csv"));
        for (String stem : List.of("accuracy", "curve_test_acc", "curve_loss", "spike_rate", "silent_frac",
                "seconds_per_epoch", "transfer")) {
            f.add(stem + ".png");
            f.add(stem + ".svg");
        }
        FILES = List.copyOf(f);
    }

    /** Writes everything into the output directory (new, empty or an earlier report) and returns the HTML file. */
    public Path write() {
        dev.spikestep.io.OutputDir.replaceWhole(outDir, "report.html", "report", FILES::contains);
        // report.html is written last: a stand-in first, so that a report killed on its way is still recognised as one
        // by the next (and says so to whoever opens it)
        ResultsWriter.replace(outDir.resolve("report.html"), "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
                + "Report being written</title></head><body><p>This report is being written, or its run was stopped "
                + "before it finished: run <code>spikestep report</code> again.</p></body></html>\n");
        List<String[]> charts = new ArrayList<>(); // file stem, title, caption
        chart(charts, "accuracy", "Test accuracy vs dt", "test accuracy (%)", ACC,
                "Mean over seeds with the seed range (min to max) as bars; red crosses: diverged runs."
                        + (hasNotebookReference() ? " Diamonds: the accuracy published by " + NotebookResults.SOURCE
                        + " for the same model, integrator, dt, T and readout (its seed range as bars)." : ""));
        curveChart(charts, "curve_test_acc", "Test accuracy per epoch", "test accuracy (%)", "test_acc",
                "Learning curves: each group and dt, mean over seeds with the seed range as bars.");
        curveChart(charts, "curve_loss", "Training loss per epoch", "mean training loss", "loss",
                "Mean cross-entropy of each epoch's training pass; mean over seeds with the seed range as bars.");
        chart(charts, "spike_rate", "Hidden spike rate vs dt", "mean hidden spike rate", RATE,
                "Spikes per (sample, neuron, step) on the last epoch's test pass; mean and seed range.");
        chart(charts, "silent_frac", "Silent fraction vs dt", "silent fraction", SILENT,
                "1 - spike rate: the fraction of (sample, neuron, step) sites without a spike.");
        chart(charts, "seconds_per_epoch", "Seconds per epoch", "seconds per epoch", SPE,
                "Wall-clock seconds per epoch of each run (training and test pass), mean and range over seeds.");
        if ("transfer".equals(results.runs().get(0).get("experiment"))) {
            TransferMatrix tm = new TransferMatrix(results.runs());
            ResultsWriter.replace(outDir.resolve("transfer.csv"), tm.csv());
            tm.png(outDir.resolve("transfer.png"), "Transfer: " + name());
            charts.add(0, new String[] {"transfer", "Transfer matrix",
                "Test accuracy of each trained network (rows) run with other dynamics (columns), mean over seeds; "
                    + "DIV marks diverged cells. As a table: transfer.csv"});
        }
        String md = markdown();
        ResultsWriter.replace(outDir.resolve("summary.md"), md);
        ResultsWriter.replace(outDir.resolve("summary.csv"), summaryCsv());
        Path html = outDir.resolve("report.html");
        ResultsWriter.replace(html, html(charts));
        return html;
    }

    private void chart(List<String[]> charts, String stem, String title, String yTitle, String metric, String caption) {
        if (results.runs().stream().noneMatch(r -> r.get(metric) != null)) {
            return;
        }
        Chart<?, ?> chart = singleDt
                ? categoryChart(title.replace(" vs dt", "") + " at dt " + fmt(cells.get(0).dt()), yTitle, metric)
                : xyChart(title, yTitle, metric);
        save(charts, chart, stem, title, caption);
    }

    /** Writes a chart as {@code stem.png} (110 dpi) and {@code stem.svg} into {@code outDir}. */
    static void save(Chart<?, ?> chart, Path outDir, String stem) {
        dev.spikestep.io.ChartFiles.save(chart, outDir.resolve(stem));
    }

    /** An HTML figure embedding {@code outDir/stem.png}, for chart {@code {stem, title, caption}}. */
    static String figure(Path outDir, String[] c) {
        byte[] png;
        try {
            png = Files.readAllBytes(outDir.resolve(c[0] + ".png"));
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + outDir.resolve(c[0] + ".png") + ": " + SpikestepException.reason(e), e);
        }
        return "<figure><img alt=\"" + esc(c[1]) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png) + "\"><figcaption>" + esc(c[2]) + " (also " + c[0] + ".png"
                + (Files.exists(outDir.resolve(c[0] + ".svg")) ? ", " + c[0] + ".svg" : "") + ")</figcaption></figure>\n";
    }

    private XYChart xyChart(String title, String yTitle, String metric) {
        XYChart c = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle("dt (log scale)")
                .yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisDecimalPattern("0.###");
        c.getStyler().setErrorBarsColorSeriesColor(true);
        double lo = cells.stream().mapToDouble(Cell::dt).min().orElse(1);
        double hi = cells.stream().mapToDouble(Cell::dt).max().orElse(1);
        // Over less than a decade and a half, label every tick, else the decades only (readable either way).
        c.getStyler().setXAxisLogarithmicDecadeOnly(hi / lo >= 30);
        c.getStyler().setXAxisMin(lo / 1.5);
        c.getStyler().setXAxisMax(hi * 1.5);
        List<Double> dx = new ArrayList<>();
        List<Double> dy = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            String group = groups.get(gi);
            Color color = PALETTE[gi % PALETTE.length];
            List<Cell> gc = cells.stream().filter(x -> x.group().equals(group) && present(x, metric))
                    .sorted((a, b) -> Double.compare(a.dt(), b.dt())).toList();
            if (gc.isEmpty()) {
                continue;
            }
            double[] x = new double[gc.size()];
            double[] mean = new double[gc.size()];
            double[] mid = new double[gc.size()];
            double[] half = new double[gc.size()];
            for (int i = 0; i < gc.size(); i++) {
                double[] v = gc.get(i).values(metric);
                x[i] = gc.get(i).dt();
                mean[i] = mean(v);
                mid[i] = (min(v) + max(v)) / 2;
                half[i] = (max(v) - min(v)) / 2;
                for (Map<String, Object> r : gc.get(i).runs()) {
                    if (diverged(r)) {
                        dx.add(x[i]);
                        dy.add(num(r.get(metric)));
                    }
                }
            }
            XYSeries m = c.addSeries(group, x, mean);
            m.setLineColor(color);
            m.setMarkerColor(color);
            m.setMarker(SeriesMarkers.CIRCLE);
            if (metric.equals(ACC)) {
                notebookSeries(c, group, color, gc);
            }
            if (gc.stream().anyMatch(cell -> cell.n() > 1)) {
                // XChart's error bars are symmetric: a hidden series at the range's midpoint carries them.
                XYSeries range = c.addSeries(group + " (seed range)", x, mid, half);
                range.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                range.setMarker(SeriesMarkers.NONE);
                range.setMarkerColor(color);
                range.setLineColor(color);
                range.setShowInLegend(false);
            }
        }
        if (!dx.isEmpty()) {
            XYSeries d = c.addSeries("diverged (non-finite states)", dx.stream().mapToDouble(Double::doubleValue).toArray(),
                    dy.stream().mapToDouble(Double::doubleValue).toArray());
            d.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            d.setMarker(SeriesMarkers.CROSS);
            d.setMarkerColor(DIVERGED);
        }
        return c;
    }

    /** The notebook's published accuracy (SPEC 8) at the group's matching points: hollow diamonds, its range as bars. */
    private static void notebookSeries(XYChart c, String group, Color color, List<Cell> gc) {
        List<double[]> ref = new ArrayList<>();
        for (Cell cell : gc) {
            double[] acc = NotebookResults.accuracy(cell.runs().get(0));
            if (acc != null) {
                ref.add(new double[] {cell.dt(), (acc[0] + acc[1]) / 2, (acc[1] - acc[0]) / 2});
            }
        }
        if (ref.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(group + ": notebook", ref.stream().mapToDouble(r -> r[0]).toArray(),
                ref.stream().mapToDouble(r -> r[1]).toArray(), ref.stream().mapToDouble(r -> r[2]).toArray());
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.DIAMOND);
        s.setMarkerColor(color.darker());
    }

    /** Whether any run of the sweep matches a setting the notebook published an accuracy for. */
    private boolean hasNotebookReference() {
        return results.runs().stream().anyMatch(r -> NotebookResults.accuracy(r) != null);
    }

    /**
     * Test accuracy or loss per epoch: one curve per group and dt, the mean over seeds with the seed
     * range as bars, from the epochs of each run's finishing attempt.
     */
    private void curveChart(List<String[]> charts, String stem, String title, String yTitle, String key, String caption) {
        XYChart c = curves(title, yTitle, key);
        if (c != null) {
            save(charts, c, stem, title, caption);
        }
    }

    /** The learning-curve chart of epoch field {@code key}; null when no epoch row has it. */
    XYChart curves(String title, String yTitle, String key) {
        Map<Object, List<Map<String, Object>>> byRun = new LinkedHashMap<>();
        for (Map<String, Object> e : results.epochs()) {
            byRun.computeIfAbsent(e.get("run_id"), k -> new ArrayList<>()).add(e);
        }
        if (byRun.isEmpty() || results.epochs().stream().noneMatch(e -> e.get(key) != null)) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setErrorBarsColorSeriesColor(true);
        c.getStyler().setXAxisDecimalPattern("0");
        int n = 0;
        for (Cell cell : cells) {
            TreeSet<Integer> epochs = new TreeSet<>();
            Map<Integer, List<Double>> values = new LinkedHashMap<>();
            for (Map<String, Object> run : cell.runs()) {
                for (Map<String, Object> e : byRun.getOrDefault(run.get("run_id"), List.of())) {
                    if (e.get(key) != null && e.get("epoch") != null) {
                        int ep = (int) num(e.get("epoch"));
                        epochs.add(ep);
                        values.computeIfAbsent(ep, k -> new ArrayList<>()).add(num(e.get(key)));
                    }
                }
            }
            if (epochs.isEmpty()) {
                continue;
            }
            double[] x = epochs.stream().mapToDouble(Integer::doubleValue).toArray();
            double[] mean = new double[x.length];
            double[] mid = new double[x.length];
            double[] half = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double[] v = values.get((int) x[i]).stream().mapToDouble(Double::doubleValue).toArray();
                mean[i] = mean(v);
                mid[i] = (min(v) + max(v)) / 2;
                half[i] = (max(v) - min(v)) / 2;
            }
            String name = cell.group() + (singleDt ? "" : " dt " + fmt(cell.dt()));
            Color color = PALETTE[n++ % PALETTE.length];
            XYSeries m = c.addSeries(name, x, mean);
            m.setLineColor(color);
            m.setMarkerColor(color);
            m.setMarker(SeriesMarkers.CIRCLE);
            if (cell.n() > 1) {
                XYSeries range = c.addSeries(name + " (seed range)", x, mid, half);
                range.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                range.setMarker(SeriesMarkers.NONE);
                range.setMarkerColor(color);
                range.setLineColor(color); // the error bars' colour: else the next curve's from the palette
                range.setShowInLegend(false);
            }
        }
        return c;
    }

    private void save(List<String[]> charts, Chart<?, ?> chart, String stem, String title, String caption) {
        save(chart, outDir, stem);
        charts.add(new String[] {stem, title, caption});
    }

    private CategoryChart categoryChart(String title, String yTitle, String metric) {
        CategoryChart c = new CategoryChartBuilder().width(900).height(520).title(title).xAxisTitle("")
                .yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setXAxisLabelRotation(groups.size() > 4 ? 30 : 0);
        List<String> labels = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        List<Double> mins = new ArrayList<>();
        List<Double> maxs = new ArrayList<>();
        List<Double> div = new ArrayList<>();
        for (Cell cell : cells) {
            if (!present(cell, metric)) {
                continue;
            }
            double[] v = cell.values(metric);
            labels.add(cell.group() + (cell.diverged() > 0 ? " (diverged " + cell.diverged() + "/" + cell.n() + ")" : ""));
            means.add(mean(v));
            mins.add(min(v));
            maxs.add(max(v));
            div.add(cell.diverged() > 0 ? mean(v) : null);
        }
        CategorySeries m = c.addSeries("mean over seeds", labels, means);
        m.setFillColor(PALETTE[0]);
        for (String[] s : new String[][] {{"seed min", "min"}, {"seed max", "max"}}) {
            CategorySeries e = c.addSeries(s[0], labels, s[1].equals("min") ? mins : maxs);
            e.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            e.setMarker(s[1].equals("min") ? SeriesMarkers.TRIANGLE_DOWN : SeriesMarkers.TRIANGLE_UP);
            e.setMarkerColor(Color.DARK_GRAY);
        }
        if (div.stream().anyMatch(v -> v != null)) {
            CategorySeries d = c.addSeries("diverged (non-finite states)", labels,
                    div.stream().map(v -> v == null ? (Number) null : v).toList());
            d.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            d.setMarker(SeriesMarkers.CROSS);
            d.setMarkerColor(DIVERGED);
        }
        if (metric.equals(ACC) && hasNotebookReference()) {
            List<Number> ref = new ArrayList<>();
            for (Cell cell : cells) {
                if (present(cell, metric)) {
                    double[] acc = NotebookResults.accuracy(cell.runs().get(0));
                    ref.add(acc == null ? null : (acc[0] + acc[1]) / 2);
                }
            }
            CategorySeries nb = c.addSeries("notebook (SPEC 8)", labels, ref);
            nb.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            nb.setMarker(SeriesMarkers.DIAMOND);
            nb.setMarkerColor(Color.BLACK);
        }
        c.getStyler().setOverlapped(true);
        return c;
    }

    static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setMarkerSize(8);
        s.setChartTitleFont(s.getChartTitleFont().deriveFont(16f));
        s.setLegendFont(s.getLegendFont().deriveFont(12f));
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotGridLinesVisible(true);
            a.setYAxisDecimalPattern("0.###");
            a.setAxisTickLabelsFont(a.getAxisTickLabelsFont().deriveFont(12f));
            a.setAxisTitleFont(a.getAxisTitleFont().deriveFont(13f));
        }
    }

    private static boolean present(Cell c, String metric) {
        return c.runs().stream().allMatch(r -> r.get(metric) != null);
    }

    // --- tables ---------------------------------------------------------------------------------

    static final List<String> STATS = List.of("n_seeds", "acc_mean", "acc_std", "acc_min", "acc_max",
            "spike_rate_mean", "silent_frac_mean", "diverged", "seconds_per_epoch_mean");

    private List<String> summaryHeader() {
        List<String> h = new ArrayList<>(summaryKeys);
        int at = h.contains("integrator") ? h.indexOf("integrator") + 1 : h.size();
        h.add(at, "dt");
        h.addAll(STATS);
        return h;
    }

    /** The summary rows, in the order the groups and dt first appear in the grid. */
    private List<Map<String, Object>> summaryRows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort((a, b) -> a.group().equals(b.group()) ? Double.compare(a.dt(), b.dt())
                : Integer.compare(groups.indexOf(a.group()), groups.indexOf(b.group())));
        for (Cell c : sorted) {
            Map<String, Object> m = new LinkedHashMap<>(c.keys());
            Map<String, Object> row = new LinkedHashMap<>();
            for (String k : summaryHeader()) {
                row.put(k, m.get(k));
            }
            row.put("dt", c.dt());
            double[] acc = c.values(ACC);
            row.put("n_seeds", c.n());
            row.put("acc_mean", mean(acc));
            row.put("acc_std", std(acc));
            row.put("acc_min", min(acc));
            row.put("acc_max", max(acc));
            row.put("spike_rate_mean", optMean(c, RATE));
            row.put("silent_frac_mean", optMean(c, SILENT));
            row.put("diverged", tracksDivergence() ? c.diverged() : null);
            row.put("seconds_per_epoch_mean", optMean(c, SPE));
            rows.add(row);
        }
        return rows;
    }

    private static Object optMean(Cell c, String metric) {
        return present(c, metric) ? mean(c.values(metric)) : "";
    }

    private String summaryCsv() {
        StringBuilder sb = new StringBuilder(String.join(",", summaryHeader())).append('\n');
        for (Map<String, Object> r : summaryRows()) {
            sb.append(ResultsWriter.csv(new ArrayList<>(r.values()))).append('\n');
        }
        return sb.toString();
    }

    private String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Sweep ").append(name()).append("\n\n").append(counts()).append("\n\n");
        sb.append("## Test accuracy (%) by dt\n\n").append(pivotMarkdown()).append('\n');
        sb.append("Each cell: mean over seeds, (min-max) when there are several; \"diverged\" marks runs with ")
                .append("non-finite (NaN/inf) states in the last evaluation.\n\n");
        sb.append("## Summary\n\n");
        List<String> h = summaryHeader();
        sb.append("| ").append(String.join(" | ", h)).append(" |\n|");
        h.forEach(x -> sb.append("---|"));
        sb.append('\n');
        for (Map<String, Object> r : summaryRows()) {
            sb.append("| ");
            for (String k : h) {
                sb.append(fmt(r.get(k))).append(" | ");
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        List<Map<String, Object>> div = results.runs().stream().filter(Report::diverged).toList();
        sb.append("\n## Diverged runs\n\n");
        if (!tracksDivergence()) {
            sb.append("Not recorded: these rows count no non-finite states.\n");
        } else if (div.isEmpty()) {
            sb.append("None.\n");
        } else {
            for (Map<String, Object> r : div) {
                sb.append("- ").append(r.get("run_id")).append(": ").append(groupLabel(r)).append(", dt ")
                        .append(fmt(r.get("dt"))).append(", seed ").append(fmt(r.get("seed"))).append(": ")
                        .append(fmt(r.get(NONFINITE))).append(" non-finite states, accuracy ").append(fmt(r.get(ACC)))
                        .append("%\n");
            }
        }
        return sb.toString();
    }

    /** Rows: groups; columns: dt; the notebook's table layout. */
    private String pivotMarkdown() {
        TreeSet<Double> dts = new TreeSet<>();
        cells.forEach(c -> dts.add(c.dt()));
        StringBuilder sb = new StringBuilder("| group |");
        dts.forEach(d -> sb.append(" dt ").append(fmt(d)).append(" |"));
        sb.append("\n|---|");
        dts.forEach(d -> sb.append("---|"));
        sb.append('\n');
        for (String g : groups) {
            sb.append("| ").append(g).append(" |");
            for (double d : dts) {
                Cell c = cells.stream().filter(x -> x.group().equals(g) && x.dt() == d).findFirst().orElse(null);
                sb.append(' ').append(c == null ? "" : accCell(c)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String accCell(Cell c) {
        double[] v = c.values(ACC);
        String s = c.n() == 1 ? String.format(Locale.ROOT, "%.1f", v[0])
                : String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", mean(v), min(v), max(v));
        return c.diverged() > 0 ? s + " diverged" + (c.n() > 1 ? " " + c.diverged() + "/" + c.n() : "") : s;
    }

    private String name() {
        Object n = results.manifest().get("name");
        return n != null ? n.toString() : String.valueOf(results.runs().get(0).get("sweep"));
    }

    private String counts() {
        Object grid = results.manifest().get("grid_points");
        int n = results.runs().size();
        String s = n + " finished runs" + (grid != null ? " of " + grid + " grid points" : "") + " ("
                + results.runs().get(0).get("experiment") + ", directory " + dir + ")";
        if (!tracksDivergence()) {
            return s + "; divergence not recorded (its rows count no non-finite states).";
        }
        long div = results.runs().stream().filter(Report::diverged).count();
        return s + "; " + div + " diverged.";
    }

    // --- HTML -----------------------------------------------------------------------------------

    private String html(List<String[]> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sweep ").append(esc(name()))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 7px;"
                        + "text-align:right}th{background:#f2f2f2}td.l,th.l{text-align:left}tr.div td{background:#fde8e8}"
                        + "img{max-width:100%;border:1px solid #ddd}figure{margin:1.5em 0}figcaption{color:#555;font-size:13px}"
                        + "</style></head><body>\n");
        sb.append("<h1>Sweep ").append(esc(name())).append("</h1>\n<p>").append(esc(counts())).append("</p>\n");
        sb.append("<h2>Charts</h2>\n");
        for (String[] c : charts) {
            sb.append(figure(outDir, c));
        }
        sb.append("<h2>Test accuracy (%) by dt</h2>\n").append(mdTableToHtml(pivotMarkdown()));
        sb.append("<h2>Summary</h2>\n<table><tr>");
        List<String> h = summaryHeader();
        h.forEach(k -> sb.append("<th>").append(esc(k)).append("</th>"));
        sb.append("</tr>\n");
        for (Map<String, Object> r : summaryRows()) {
            sb.append(r.get("diverged") instanceof Number n && n.longValue() > 0 ? "<tr class=\"div\">" : "<tr>");
            h.forEach(k -> sb.append("<td>").append(esc(fmt(r.get(k)))).append("</td>"));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n<h2>Diverged runs</h2>\n");
        List<Map<String, Object>> div = results.runs().stream().filter(Report::diverged).toList();
        if (!tracksDivergence()) {
            sb.append("<p>Not recorded: these rows count no non-finite states.</p>\n");
        } else if (div.isEmpty()) {
            sb.append("<p>None: every run's states stayed finite.</p>\n");
        } else {
            sb.append("<p>Runs whose hidden states became NaN or infinite in the last evaluation (the integrator "
                    + "diverged at this dt); they are marked with red crosses in the charts.</p>\n");
        }
        sb.append(runTable(div.isEmpty() ? List.of() : div));
        sb.append("<h2>All runs</h2>\n").append(runTable(results.runs()));
        sb.append("<p>Files: runs.jsonl, epochs.jsonl, results.csv in ").append(esc(dir.toString()))
                .append("; summary.md and summary.csv next to this report.</p>\n</body></html>\n");
        return sb.toString();
    }

    private String runTable(List<Map<String, Object>> runs) {
        if (runs.isEmpty()) {
            return "";
        }
        List<String> cols = new ArrayList<>(List.of("index", "run_id"));
        cols.addAll(summaryKeys);
        cols.add(cols.contains("integrator") ? cols.indexOf("integrator") + 1 : cols.size(), "dt");
        cols.addAll(List.of("seed", ACC, RATE, NONFINITE, SPE));
        StringBuilder sb = new StringBuilder("<table><tr>");
        cols.forEach(k -> sb.append("<th>").append(esc(k)).append("</th>"));
        sb.append("</tr>\n");
        for (Map<String, Object> r : runs) {
            sb.append(diverged(r) ? "<tr class=\"div\">" : "<tr>");
            cols.forEach(k -> sb.append("<td>").append(esc(fmt(r.get(k)))).append("</td>"));
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    static String mdTableToHtml(String md) {
        StringBuilder sb = new StringBuilder("<table>\n");
        String[] lines = md.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (i == 1) {
                continue;
            }
            String[] cellsOf = lines[i].substring(1, lines[i].length() - 1).split("\\|");
            sb.append("<tr>");
            for (int j = 0; j < cellsOf.length; j++) {
                String tag = i == 0 ? "th" : "td";
                sb.append('<').append(tag).append(j == 0 ? " class=\"l\"" : "").append('>').append(esc(cellsOf[j].trim()))
                        .append("</").append(tag).append('>');
            }
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    // --- numbers --------------------------------------------------------------------------------

    /** Whether the runs record non-finite states at all (train and transfer rows do; R-STDP's do not). */
    private boolean tracksDivergence() {
        return results.runs().stream().anyMatch(r -> r.containsKey(NONFINITE));
    }

    static boolean diverged(Map<String, Object> r) {
        return r.get(NONFINITE) instanceof Number n && n.doubleValue() > 0;
    }

    static double num(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    static String fmt(Object o) {
        if (o == null) {
            return "";
        }
        if (o instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return Long.toString(d.longValue());
            }
            double a = Math.abs(d);
            return a >= 100 ? String.format(Locale.ROOT, "%.1f", d)
                    : a >= 0.1 ? String.format(Locale.ROOT, "%.4g", d).replaceFirst("\\.?0+$", "")
                    : String.format(Locale.ROOT, "%.3g", d);
        }
        return o.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

}
