package io.switchboard.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * p99 latency against deliveries per second from the rate sweep (scenario C), one line per target, as a PNG.
 * Plain Java2D: one small chart did not justify a charting library and its dependencies in the fat jar.
 */
final class Chart {
    private static final int W = 960;
    private static final int H = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 96;
    private static final int BOTTOM = 70;
    private static final Map<String, Color> COLORS = Map.of(
            "switchboard", new Color(0x1f, 0x77, 0xb4), "baseline", new Color(0xff, 0x7f, 0x0e));

    private Chart() {}

    /** A measured point of one target. */
    record Point(double rate, double deliveriesPerSecond, double p99Ms, boolean pass) {}

    /** The sweep's points per target, in rate order; steps that did not measure anything are left out. */
    static Map<String, List<Point>> points(List<Result> results) {
        Map<String, List<Point>> series = new LinkedHashMap<>();
        for (Result r : results) {
            if (!"C".equals(r.scenario()) || !r.ok()) continue;
            double x = r.num("deliveries_per_s");
            double y = r.num("p99_ms");
            if (Double.isNaN(x) || Double.isNaN(y)) continue;
            series.computeIfAbsent(r.target(), k -> new ArrayList<>())
                    .add(new Point(r.num("rate"), x, y, "true".equals(r.get("pass"))));
        }
        series.values().forEach(l -> l.sort(Comparator.comparingDouble(Point::rate)));
        return series;
    }

    /** What the sweep measured, from its results: clients, rooms, message size, window per rate, host. */
    static String subtitle(List<Result> results, int cores) {
        for (Result r : results) {
            if (!"C".equals(r.scenario()) || !r.ok()) continue;
            return Report.num(r.num("conns")) + " clients in " + Report.num(r.num("rooms")) + " rooms, "
                    + Report.num(r.num("payload")) + "-byte messages, " + Report.num(r.num("duration_s")) + " s per rate; "
                    + cores + "-core host, generator and servers on one machine";
        }
        return "";
    }

    /** Writes the chart; returns false (and writes nothing) when there is no sweep data. */
    static boolean write(Path file, List<Result> results, String subtitle, double thresholdMs) throws IOException {
        Map<String, List<Point>> series = points(results);
        if (series.isEmpty()) return false;
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            draw(g, series, subtitle, thresholdMs);
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        return ImageIO.write(img, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Map<String, List<Point>> series, String subtitle, double thresholdMs) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);

        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = thresholdMs;
        for (List<Point> ps : series.values()) {
            for (Point p : ps) {
                maxX = Math.max(maxX, p.deliveriesPerSecond());
                minY = Math.min(minY, p.p99Ms());
                maxY = Math.max(maxY, p.p99Ms());
            }
        }
        Axis x = Axis.linear(0, maxX <= 0 ? 1 : maxX * 1.08);
        Axis y = Axis.log(Math.max(0.01, Math.min(minY, thresholdMs) / 1.5), maxY * 1.5);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("p99 delivery latency vs deliveries per second (rate sweep, scenario C)", LEFT, 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.DARK_GRAY);
        int lineY = 54;
        for (String line : wrap(subtitle, g.getFontMetrics(), W - LEFT - RIGHT)) {
            g.drawString(line, LEFT, lineY);
            lineY += 17;
        }

        // grid and ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : x.ticks()) {
            int px = LEFT + (int) Math.round(x.frac(t) * plotW);
            g.setColor(new Color(0xe6, 0xe6, 0xe6));
            g.draw(new Line2D.Double(px, TOP, px, TOP + plotH));
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, px - fm.stringWidth(s) / 2, TOP + plotH + 18);
        }
        for (double t : y.ticks()) {
            int py = TOP + plotH - (int) Math.round(y.frac(t) * plotH);
            g.setColor(new Color(0xe6, 0xe6, 0xe6));
            g.draw(new Line2D.Double(LEFT, py, LEFT + plotW, py));
            g.setColor(Color.DARK_GRAY);
            String s = label(t);
            g.drawString(s, LEFT - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        String xl = "deliveries per second (messages received by all clients)";
        g.drawString(xl, LEFT + plotW / 2 - g.getFontMetrics().stringWidth(xl) / 2, H - 22);
        Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        String yl = "p99 latency, ms (log scale)";
        gy.drawString(yl, -(TOP + plotH / 2) - gy.getFontMetrics().stringWidth(yl) / 2, 24);
        gy.dispose();

        // the pass threshold
        int ty = TOP + plotH - (int) Math.round(y.frac(thresholdMs) * plotH);
        g.setColor(new Color(0xc0, 0x30, 0x30));
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f));
        g.draw(new Line2D.Double(LEFT, ty, LEFT + plotW, ty));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("p99 limit " + label(thresholdMs) + " ms", LEFT + plotW - 120, ty - 6);

        // legend box in the lower right (a sweep climbs from lower left to upper right), then the series
        int boxW = 560;
        int boxH = 24 + 20 * series.size();
        int boxX = LEFT + plotW - boxW - 8;
        int boxY = TOP + plotH - boxH - 8;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(boxX, boxY, boxW, boxH);
        g.setColor(new Color(0xcc, 0xcc, 0xcc));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(boxX, boxY, boxW, boxH);
        int legendY = boxY + 18;
        for (Map.Entry<String, List<Point>> e : series.entrySet()) {
            Color c = COLORS.getOrDefault(e.getKey(), Color.GRAY);
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            Path2D.Double line = new Path2D.Double();
            boolean first = true;
            for (Point p : e.getValue()) {
                double px = LEFT + x.frac(p.deliveriesPerSecond()) * plotW;
                double py = TOP + plotH - y.frac(p.p99Ms()) * plotH;
                if (first) line.moveTo(px, py);
                else line.lineTo(px, py);
                first = false;
            }
            g.draw(line);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (Point p : e.getValue()) {
                double px = LEFT + x.frac(p.deliveriesPerSecond()) * plotW;
                double py = TOP + plotH - y.frac(p.p99Ms()) * plotH;
                Ellipse2D.Double dot = new Ellipse2D.Double(px - 4.5, py - 4.5, 9, 9);
                if (p.pass()) g.fill(dot);
                else {
                    g.setColor(Color.WHITE);
                    g.fill(dot);
                    g.setColor(c);
                    g.draw(dot);
                }
                g.drawString(label(p.rate()) + "/s", (float) px + 6, (float) py - 6);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.fillRect(boxX + 8, legendY - 10, 22, 4);
            g.drawString(e.getKey(), boxX + 38, legendY - 4);
            legendY += 20;
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("filled: passed (delivery ratio and p99 limit); hollow: failed; labels: msg/s per client",
                boxX + 8, legendY + 2);
    }

    /** Splits text at "; " or spaces into lines no wider than {@code width} (at most two; the rest is cut). */
    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        while (!rest.isEmpty() && lines.size() < 2) {
            if (fm.stringWidth(rest) <= width) {
                lines.add(rest);
                break;
            }
            int cut = rest.length();
            while (cut > 0 && fm.stringWidth(rest.substring(0, cut)) > width) cut = rest.lastIndexOf(' ', cut - 1);
            if (cut <= 0) cut = Math.min(rest.length(), 80);
            lines.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        return lines;
    }

    static String label(double v) {
        if (v >= 1000 && v % 1000 == 0) return (long) (v / 1000) + "k";
        if (v >= 1000) return String.format(Locale.ROOT, "%.1fk", v / 1000);
        return Report.num(v);
    }

    /** A plot axis: linear from 0 or logarithmic. */
    record Axis(double min, double max, boolean log) {
        static Axis linear(double min, double max) {
            return new Axis(min, max, false);
        }

        static Axis log(double min, double max) {
            return new Axis(min, Math.max(max, min * 10), true);
        }

        double frac(double v) {
            if (log) return (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            return (v - min) / (max - min);
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            if (log) {
                for (double decade = Math.pow(10, Math.floor(Math.log10(min))); decade <= max; decade *= 10) {
                    for (double m : new double[] {1, 2, 5}) {
                        double t = decade * m;
                        if (t >= min && t <= max) out.add(t);
                    }
                }
                return out;
            }
            double step = niceStep((max - min) / 6);
            for (double t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) out.add(t);
            return out;
        }

        static double niceStep(double raw) {
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / mag;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        }
    }
}
