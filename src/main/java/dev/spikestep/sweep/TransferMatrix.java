package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The transfer study's matrix: rows are what a network was trained with (the training keys that
 * vary over the sweep), columns what it was evaluated with (the eval settings as resolved), each
 * cell the test accuracy, mean over the seeds (and the other keys that do not vary), with cells
 * where any run's states became non-finite marked as diverged. Written as {@code transfer.csv} and
 * drawn as an annotated heatmap {@code transfer.png}.
 */
final class TransferMatrix {
    /** Keys of the trained side that never label a row: the seed spreads, the eval keys are the columns. */
    private static final Set<String> NOT_ROWS = Set.of("seed");

    record Cell(String trained, String evaluated, List<Map<String, Object>> runs) {
        double[] acc() {
            return runs.stream().mapToDouble(r -> Report.num(r.get(Report.ACC))).toArray();
        }

        long diverged() {
            return runs.stream().filter(Report::diverged).count();
        }
    }

    final List<String> rows;
    final List<String> cols;
    final Map<String, Cell> cells = new LinkedHashMap<>();

    TransferMatrix(List<Map<String, Object>> runs) {
        List<String> trainKeys = new ArrayList<>();
        for (String k : ExperimentSchema.TRAIN.params().keySet()) {
            if (!NOT_ROWS.contains(k) && runs.stream().map(r -> String.valueOf(r.get(k))).distinct().count() > 1) {
                trainKeys.add(k);
            }
        }
        List<String> evalKeys = new ArrayList<>();
        for (String k : List.of("used_integrator", "used_substeps", "used_dt", "used_T", "used_readout")) {
            if (runs.stream().map(r -> String.valueOf(r.get(k))).distinct().count() > 1) {
                evalKeys.add(k);
            }
        }
        Set<String> r = new LinkedHashSet<>();
        Set<String> c = new LinkedHashSet<>();
        for (Map<String, Object> run : runs) {
            String row = label(run, trainKeys, "");
            String col = label(run, evalKeys, "used_");
            r.add(row);
            c.add(col);
            cells.computeIfAbsent(row + "\u0000" + col, x -> new Cell(row, col, new ArrayList<>())).runs().add(run);
        }
        rows = new ArrayList<>(r);
        cols = new ArrayList<>(c);
    }

    /** {@code lif/exp dt 5}, {@code euler T 100}: the keys' values, model and integrator joined by a slash. */
    private static String label(Map<String, Object> run, List<String> keys, String prefix) {
        if (keys.isEmpty()) {
            return "as trained";
        }
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            String name = k.substring(prefix.length());
            String v = Report.fmt(run.get(k));
            if (name.equals("integrator") && keys.contains(prefix + "model")) {
                sb.append('/').append(v);
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(name.equals("model") || name.equals("integrator") ? v : name + " " + v);
        }
        return sb.toString();
    }

    Cell cell(String row, String col) {
        return cells.get(row + "\u0000" + col);
    }

    String csv() {
        StringBuilder sb = new StringBuilder("trained,evaluated,n_runs,acc_mean,acc_min,acc_max,diverged_runs,trained_acc_mean\n");
        for (String row : rows) {
            for (String col : cols) {
                Cell c = cell(row, col);
                if (c == null) {
                    continue;
                }
                double[] acc = c.acc();
                double[] trained = c.runs().stream().mapToDouble(x -> Report.num(x.get("trained_acc"))).toArray();
                sb.append(ResultsWriter.csv(List.of(row, col, c.runs().size(), Report.mean(acc), Report.min(acc),
                        Report.max(acc), c.diverged(), Report.mean(trained)))).append('\n');
            }
        }
        return sb.toString();
    }

    /** The heatmap: white (0%) to blue (100%), each cell's accuracy written in it, diverged cells hatched red. */
    void png(Path file, String title) {
        int cw = 120;
        int ch = 44;
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D p = probe.createGraphics();
        p.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = p.getFontMetrics();
        int left = 20 + rows.stream().mapToInt(fm::stringWidth).max().orElse(40);
        for (String c : cols) {
            cw = Math.max(cw, fm.stringWidth(c) + 16);
        }
        p.dispose();
        int top = 90;
        int w = left + cw * cols.size() + 30;
        int h = top + ch * rows.size() + 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("rows: trained with; columns: evaluated with; cell: test accuracy (%), mean over runs", 10, 44);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics m = g.getFontMetrics();
        for (int j = 0; j < cols.size(); j++) {
            String s = cols.get(j);
            g.drawString(s, left + j * cw + (cw - m.stringWidth(s)) / 2, top - 10);
        }
        for (int i = 0; i < rows.size(); i++) {
            int y = top + i * ch;
            g.setColor(Color.BLACK);
            g.drawString(rows.get(i), 10, y + ch / 2 + 5);
            for (int j = 0; j < cols.size(); j++) {
                int x = left + j * cw;
                Cell c = cell(rows.get(i), cols.get(j));
                String text;
                Color fill;
                if (c == null) {
                    fill = new Color(235, 235, 235);
                    text = "";
                } else {
                    double acc = Report.mean(c.acc());
                    float f = (float) Math.max(0, Math.min(1, acc / 100));
                    fill = new Color(1 - 0.8f * f, 1 - 0.55f * f, 1 - 0.1f * f);
                    text = String.format(Locale.ROOT, "%.1f", acc);
                    if (c.diverged() > 0) {
                        text += " DIV";
                    }
                }
                g.setColor(fill);
                g.fillRect(x, y, cw, ch);
                if (c != null && c.diverged() > 0) {
                    g.setColor(new Color(214, 39, 40));
                    g.setStroke(new BasicStroke(3));
                    g.drawRect(x + 2, y + 2, cw - 4, ch - 4);
                }
                g.setStroke(new BasicStroke(1));
                g.setColor(Color.GRAY);
                g.drawRect(x, y, cw, ch);
                g.setColor(c != null && Report.mean(c.acc()) > 60 ? Color.WHITE : Color.BLACK);
                g.drawString(text, x + (cw - m.stringWidth(text)) / 2, y + ch / 2 + 5);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("DIV, red frame: some run's hidden states became NaN or infinite (the integrator diverged)", 10, h - 16);
        g.dispose();
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new SpikestepException("cannot write " + file + ": " + SpikestepException.reason(e), e);
        }
    }
}
