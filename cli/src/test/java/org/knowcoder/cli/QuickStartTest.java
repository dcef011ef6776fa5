package org.knowcoder.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The quick starts a new user copies, the usage screen's and the README's, name input files that
 * exist (from the repository root, with the fixtures in ../shared), or spell a file of their own
 * as path/to/...
 */
class QuickStartTest {
    private static final Pattern INPUT = Pattern.compile("--(?:model|tokenizer|library|cases|datasets|data)[ =](\\S+)");

    @Test
    void usageQuickStartNamesFilesThatExist() {
        String usage = Main.commandLine().getUsageMessage();
        assertInputsExist("usage", usage.substring(usage.indexOf("Quick start")));
    }

    @Test
    void readmeQuickStartNamesFilesThatExist() throws IOException {
        String readme = Files.readString(Fixtures.root().resolve("README.md"));
        int start = readme.indexOf("## Quick start");
        assertTrue(start >= 0, "README has no Quick start");
        assertInputsExist("README", readme.substring(start, readme.indexOf("\n## ", start + 1)));
    }

    private static void assertInputsExist(String where, String quickStart) {
        assumeTrue(Files.isDirectory(Fixtures.root().resolveSibling("shared")), "../shared is absent");
        List<String> inputs = INPUT.matcher(quickStart).results().map(m -> m.group(1)).toList();
        assertFalse(inputs.isEmpty(), () -> where + ": no input files in " + quickStart);
        assertAll(inputs.stream().filter(p -> !p.startsWith("path/to/")).map(p -> (Executable) () ->
                assertTrue(Files.exists(Fixtures.root().resolve(p)), () -> where + " quick start: " + p + " does not exist")));
    }
}
