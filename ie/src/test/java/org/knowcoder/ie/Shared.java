package org.knowcoder.ie;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shared material at {@code ../shared} from the repository root; a test that needs it skips when it is absent. */
public final class Shared {
    private Shared() {}

    /** {@code ../shared/<relative>}, or a skipped test. */
    public static Path path(String relative) {
        Path root = Path.of(System.getProperty("knowcoder.root", ".")).toAbsolutePath().normalize();
        Path p = root.resolveSibling("shared").resolve(relative);
        assumeTrue(Files.exists(p), "shared material " + p + " is absent");
        return p;
    }

    public static Path datasets() {
        return path("datasets");
    }
}
