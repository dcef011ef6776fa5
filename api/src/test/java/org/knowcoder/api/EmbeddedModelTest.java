package org.knowcoder.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded model found in a jar: unpacked once per content, whole or not at all; a build without one says what to pass. */
class EmbeddedModelTest {
    @TempDir
    Path tmp;

    @Test
    void aJarsModelIsUnpackedOnceIntoTheCacheByItsContent() throws IOException {
        Path cache = tmp.resolve("cache");
        Path dir;
        try (URLClassLoader jar = jarWith(tmp.resolve("a.jar"), "weights one")) {
            dir = EmbeddedModel.dir(jar, cache);
            assertTrue(dir.startsWith(cache), dir.toString());
            for (String f : EmbeddedModel.FILES) assertEquals(f.equals(EmbeddedModel.WEIGHTS) ? "weights one" : f, Files.readString(dir.resolve(f)));
            FileTime unpacked = Files.getLastModifiedTime(dir.resolve(EmbeddedModel.WEIGHTS));
            assertEquals(dir, EmbeddedModel.dir(jar, cache));
            assertEquals(unpacked, Files.getLastModifiedTime(dir.resolve(EmbeddedModel.WEIGHTS)), "the second call reuses the copy");
        }
        try (URLClassLoader other = jarWith(tmp.resolve("b.jar"), "weights two")) {
            Path second = EmbeddedModel.dir(other, cache);
            assertNotEquals(dir, second, "other weights get their own directory");
            assertEquals("weights two", Files.readString(second.resolve(EmbeddedModel.WEIGHTS)));
        }
        try (Stream<Path> left = Files.list(cache)) {
            assertEquals(2, left.count(), "no partial directory is left behind");
        }
    }

    @Test
    void aBuildWithoutAModelSaysWhatToPass() throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, null)) {
            BadInputException e = assertThrows(BadInputException.class, () -> EmbeddedModel.dir(empty, tmp.resolve("cache")));
            assertTrue(e.getMessage().contains("--model PATH"), e.getMessage());
        }
    }

    @Test
    void theBuildsPromptCacheIsTheJarsNamesakeBesideIt() throws IOException {
        Path jar = Files.createFile(tmp.resolve("knowcoder.jar"));
        assertEquals(null, EmbeddedModel.promptCacheBeside(jar), "none beside the jar: none");
        Path cache = Files.createFile(tmp.resolve("knowcoder.prompt-cache"));
        assertEquals(cache, EmbeddedModel.promptCacheBeside(jar));
        assertEquals(null, EmbeddedModel.promptCacheBeside(Files.createFile(tmp.resolve("other.jar"))), "another jar's name: not its cache");
    }

    /** A jar holding the model's files under the resource path: each file's content is its name, the weights' is {@code weights}. */
    private static URLClassLoader jarWith(Path jar, String weights) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String f : EmbeddedModel.FILES) {
                out.putNextEntry(new JarEntry(EmbeddedModel.RESOURCES + f));
                out.write((f.equals(EmbeddedModel.WEIGHTS) ? weights : f).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }
}
