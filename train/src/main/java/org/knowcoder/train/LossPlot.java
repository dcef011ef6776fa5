package org.knowcoder.train;

import java.util.List;
import java.util.Locale;

/** The loss curve of a run as a small self-contained SVG: one polyline over step, axes labelled with the ranges. */
public final class LossPlot {
    private LossPlot() {}

    public static String svg(List<Double> losses) {
        int w = 640, h = 360, m = 40;
        double max = losses.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double min = losses.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double span = max > min ? max - min : 1;
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < losses.size(); i++) {
            double x = m + (w - 2.0 * m) * (losses.size() == 1 ? 0 : (double) i / (losses.size() - 1));
            double y = h - m - (h - 2.0 * m) * (losses.get(i) - min) / span;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return String.format(Locale.ROOT, """
                <svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">
                <rect width="100%%" height="100%%" fill="white"/>
                <line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>
                <text x="%d" y="%d">loss %.4g</text><text x="%d" y="%d">%.4g</text><text x="%d" y="%d">step %d</text>
                <polyline fill="none" stroke="steelblue" stroke-width="1.5" points="%s"/>
                </svg>
                """, w, h, m, h - m, w - m, h - m, m, m, m, h - m, 2, m - 5, max, 2, h - m, min, w - m - 50, h - m + 20,
                losses.size(), pts.toString().trim());
    }
}
