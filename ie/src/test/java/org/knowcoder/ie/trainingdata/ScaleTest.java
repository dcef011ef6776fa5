package org.knowcoder.ie.trainingdata;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 4, small: {@link ScaleRun} with a 30,000-concept library in a JVM of 1 GB heap (the full run is in the README). */
class ScaleTest {
    @TempDir
    Path dir;

    @Test
    void buildsInOneGigabyteOfHeap() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                ScaleRun.class.getName(), dir.toString(), "20000", "2"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out");
        assertEquals(0, p.exitValue(), out);
        System.out.print(out);
        assertTrue(out.contains("understanding: 20,000 lines") && out.contains("following: 20,000 lines"), out);
    }
}
