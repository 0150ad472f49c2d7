package w2v4j.repl;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;
import w2v4j.core.io.AtomicFiles;
import w2v4j.core.io.FileBytes;
import w2v4j.core.io.Json;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code plot RUN} training curves and {@code plot codebook RUN} code usage, as PNG files (XChart). */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Draw the training curves of a run as PNG.",
                "Reads RUN/metrics.jsonl: one JSON object a line with \"update\" and metric values; lines with "
                        + "\"split\":\"valid\" are validation points, drawn as a second series."},
        subcommands = {PlotCommand.Codebook.class, CommandLine.HelpCommand.class})
final class PlotCommand implements Callable<Integer> {
    static final List<String> METRICS = List.of("loss", "accuracy", "code_perplexity", "wer");
    static final Color TRAIN_COLOR = new Color(31, 119, 180);
    static final Color VALID_COLOR = new Color(214, 39, 40);
    static final Color BAR_COLOR = new Color(44, 160, 44);
    static final int WIDTH = 900, HEIGHT = 420;

    // Optional for picocli so that 'plot codebook RUN' parses; required in call().
    @Parameters(arity = "0..1", paramLabel = "RUN", description = "A training run directory (holding metrics.jsonl).")
    Path run;

    @Option(names = "--metric", split = ",", paramLabel = "NAME", completionCandidates = MetricNames.class,
            description = "Metrics to draw, one chart each: ${COMPLETION-CANDIDATES} or any key of metrics.jsonl "
                    + "(default: those of the four the file has).")
    List<String> metrics;

    @Option(names = "--out", paramLabel = "FILE.png",
            description = "One PNG holding every chart, stacked (default: RUN/plots/METRIC.png, one file per metric).")
    Path out;

    @Override
    public Integer call() {
        if (run == null) throw new W2vException("plot needs a run directory: plot RUN, or plot codebook RUN");
        headless();
        Path file = run.resolve("metrics.jsonl");
        List<Map<String, Object>> rows = readJsonLines(file);
        List<String> wanted = metrics != null ? metrics : METRICS.stream().filter(m -> has(rows, m)).toList();
        if (wanted.isEmpty()) throw W2vException.file(file, "none of " + String.join(", ", METRICS) + " is recorded (found: " + keys(rows) + ")");
        List<XYChart> charts = new ArrayList<>();
        for (String m : wanted) {
            if (!has(rows, m)) throw W2vException.file(file, "no '" + m + "' values (found: " + keys(rows) + ")");
            charts.add(curve(run.getFileName() + ": " + m, m, rows));
        }
        if (out != null) {
            writePng(out, charts);
            System.out.println("wrote " + out);
        } else {
            for (int i = 0; i < charts.size(); i++) {
                Path target = run.resolve("plots").resolve(wanted.get(i) + ".png");
                writePng(target, List.of(charts.get(i)));
                System.out.println("wrote " + target);
            }
        }
        return 0;
    }

    /** The train series (and the valid one when present) of one metric against the update number. */
    static XYChart curve(String title, String metric, List<Map<String, Object>> rows) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("update").yAxisTitle(metric).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setChartBackgroundColor(Color.WHITE)
                .setPlotBackgroundColor(Color.WHITE).setDecimalPattern("#,##0.###");
        for (String split : new String[]{"train", "valid"}) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                boolean valid = "valid".equals(r.get("split"));
                if (valid != split.equals("valid")) continue;
                if (r.get(metric) instanceof Number v && r.get("update") instanceof Number u && Double.isFinite(v.doubleValue())) {
                    x.add(u.doubleValue());
                    y.add(v.doubleValue());
                }
            }
            if (x.isEmpty()) continue;
            XYSeries s = chart.addSeries(split, x, y);
            Color c = split.equals("valid") ? VALID_COLOR : TRAIN_COLOR;
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(split.equals("valid") || x.size() < 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    @Command(name = "codebook", mixinStandardHelpOptions = true,
            description = {"Draw the codebook usage of a pre-training run as PNG: one bar chart per group, codes sorted "
                    + "by use, with the perplexity in the title.",
                    "Reads RUN/codebook_usage.json, which pre-training writes: {\"groups\": G, \"vars\": V, "
                            + "\"counts\": [[V counts of group 1], ..., [V counts of group G]]}, the number of times "
                            + "each code was chosen (argmax) over the counted frames."})
    static final class Codebook implements Callable<Integer> {
        @Parameters(paramLabel = "RUN", description = "A pre-training run directory (holding codebook_usage.json).")
        Path run;

        @Option(names = "--out", paramLabel = "FILE.png", description = "Where the PNG goes (default: RUN/plots/codebook.png).")
        Path out;

        @Override
        public Integer call() {
            headless();
            Path file = run.resolve("codebook_usage.json");
            long[][] counts = readCodebook(file);
            List<CategoryChart> charts = new ArrayList<>();
            for (int g = 0; g < counts.length; g++) charts.add(usage(g, counts[g]));
            Path target = out != null ? out : run.resolve("plots").resolve("codebook.png");
            writePng(target, charts);
            System.out.println("wrote " + target);
            return 0;
        }
    }

    /** Reads and checks codebook_usage.json; counts[g][v]. */
    static long[][] readCodebook(Path file) {
        Json.Obj o = Json.readObject(file);
        int groups = o.getInt("groups"), vars = o.getInt("vars");
        if (groups < 1 || vars < 1) throw W2vException.file(file, "groups and vars must be >= 1");
        if (!(o.get("counts") instanceof List<?> rows) || rows.size() != groups) {
            throw W2vException.file(file, "'counts' must be a list of " + groups + " lists (one per group)");
        }
        long[][] counts = new long[groups][vars];
        for (int g = 0; g < groups; g++) {
            if (!(rows.get(g) instanceof List<?> row) || row.size() != vars) {
                throw W2vException.file(file, "counts[" + g + "] must be a list of " + vars + " numbers");
            }
            for (int v = 0; v < vars; v++) {
                if (!(row.get(v) instanceof Number n) || n.doubleValue() < 0) {
                    throw W2vException.file(file, "counts[" + g + "][" + v + "] must be a number >= 0");
                }
                counts[g][v] = n.longValue();
            }
        }
        return counts;
    }

    /** exp of the entropy of the code distribution: V when uniform, 1 when one code takes all. */
    static double perplexity(long[] counts) {
        double total = 0, h = 0;
        for (long c : counts) total += c;
        if (total == 0) return 0;
        for (long c : counts) {
            if (c > 0) h -= c / total * Math.log(c / total);
        }
        return Math.exp(h);
    }

    static CategoryChart usage(int group, long[] counts) {
        long[] sorted = counts.clone();
        java.util.Arrays.sort(sorted);
        List<Integer> rank = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        int used = 0;
        for (int i = 0; i < sorted.length; i++) {
            rank.add(i + 1);
            n.add(sorted[sorted.length - 1 - i]);
            if (sorted[i] > 0) used++;
        }
        String title = String.format(Locale.ROOT, "group %d: perplexity %.1f of %d codes, %d used", group + 1, perplexity(counts), counts.length, used);
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("codes by use (rank)").yAxisTitle("count").build();
        chart.getStyler().setLegendVisible(false).setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisTicksVisible(counts.length <= 40);
        chart.getStyler().setAvailableSpaceFill(0.9);
        chart.addSeries("count", rank, n).setFillColor(BAR_COLOR);
        return chart;
    }

    /** Renders the charts stacked top to bottom into one PNG, written atomically. */
    static void writePng(Path target, List<? extends Chart<?, ?>> charts) {
        BufferedImage all = new BufferedImage(WIDTH, HEIGHT * charts.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        try {
            for (int i = 0; i < charts.size(); i++) g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), 0, i * HEIGHT, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(all, "png", png);
            Path dir = target.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw W2vException.file(target, "cannot write: " + e.getMessage(), e);
        }
        AtomicFiles.write(target, png.toByteArray());
    }

    /** One JSON object per non-blank line; errors name FILE:LINE. */
    static List<Map<String, Object>> readJsonLines(Path file) {
        String text = new String(FileBytes.readAll(file), StandardCharsets.UTF_8);
        List<Map<String, Object>> rows = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            Object v;
            try {
                v = Json.parse(line);
            } catch (W2vException e) {
                throw W2vException.file(file, "line " + (i + 1) + ", " + e.getMessage().replaceFirst("^line 1, ", ""));
            }
            if (!(v instanceof Map<?, ?> m)) throw W2vException.file(file, "line " + (i + 1) + ": expected a JSON object");
            Map<String, Object> row = new LinkedHashMap<>();
            m.forEach((k, x) -> row.put((String) k, x));
            if (!(row.get("update") instanceof Number)) throw W2vException.file(file, "line " + (i + 1) + ": no numeric \"update\"");
            rows.add(row);
        }
        if (rows.isEmpty()) throw W2vException.file(file, "no metrics recorded yet");
        return rows;
    }

    private static boolean has(List<Map<String, Object>> rows, String metric) {
        for (Map<String, Object> r : rows) if (r.get(metric) instanceof Number) return true;
        return false;
    }

    private static String keys(List<Map<String, Object>> rows) {
        java.util.Set<String> k = new java.util.LinkedHashSet<>();
        for (Map<String, Object> r : rows) r.forEach((key, v) -> {
            if (v instanceof Number && !key.equals("update")) k.add(key);
        });
        return k.isEmpty() ? "nothing" : String.join(", ", k);
    }

    /** AWT must not look for a display: the shell and CI have none. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final class MetricNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return METRICS.iterator();
        }
    }
}
