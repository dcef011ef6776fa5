package org.knowcoder.api;

import org.knowcoder.io.BadInputException;
import org.knowcoder.io.Directories;
import org.knowcoder.io.JarOf;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * KnowCoder-mini, the model the build embeds (models/knowcoder-mini in the repository, resources
 * under {@link #RESOURCES}). Run from class files, its directory is used in place; run from a jar,
 * its files are unpacked once into the user's cache ({@code $KNOWCODER_CACHE}, else
 * {@code $XDG_CACHE_HOME/knowcoder}, else {@code ~/.cache/knowcoder}), into a directory named by the
 * weights' CRC in the jar, so that a newer jar gets its own copy and a copy is never half written:
 * the files go to a temporary directory that is then renamed into place.
 */
final class EmbeddedModel {
    static final String RESOURCES = "org/knowcoder/models/knowcoder-mini/";
    static final String WEIGHTS = "model.safetensors";
    /** What the model directory holds, as export writes it, plus the types {@code extract} uses when given none. */
    static final List<String> FILES = List.of("config.json", WEIGHTS, "tokenizer.model", "schema.json", "default-types.txt");

    /**
     * The file beside the jar ({@code knowcoder.jar} → {@code knowcoder.prompt-cache}) where the build's
     * one extraction with this model (see cli/pom.xml) saved its prompt prefix: the default types'
     * class definitions, computed once at build time instead of in a user's first run.
     */
    static final String PROMPT_CACHE_SUFFIX = ".prompt-cache";

    private EmbeddedModel() {}

    /** The build's prompt cache beside the jar this class runs from; null when there is none or it runs from classes. */
    static Path builtPromptCache() {
        return JarOf.jarOf(EmbeddedModel.class).map(EmbeddedModel::promptCacheBeside).orElse(null);
    }

    /** {@code jar}'s prompt cache ({@code x.jar} → {@code x.prompt-cache} beside it); null when there is none. */
    static Path promptCacheBeside(Path jar) {
        String name = jar.getFileName().toString();
        Path cache = jar.resolveSibling((name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name) + PROMPT_CACHE_SUFFIX);
        return Files.isRegularFile(cache) ? cache : null;
    }

    /** The embedded model's directory; a BadInputException when this build embeds none. */
    static Path dir() throws IOException {
        return dir(EmbeddedModel.class.getClassLoader(), cacheRoot());
    }

    /** The embedded model of {@code loader}'s resources, unpacked (from a jar) under {@code cacheRoot}. */
    static Path dir(ClassLoader loader, Path cacheRoot) throws IOException {
        URL weights = loader.getResource(RESOURCES + WEIGHTS);
        if (weights == null) {
            throw new BadInputException("this build embeds no model: pass --model PATH (a Hugging Face directory, a llama2.c .bin,"
                    + " a .safetensors file with config.json beside it, a PyTorch or a GGUF checkpoint)");
        }
        if (weights.getProtocol().equals("file")) {
            try {
                return Path.of(weights.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(weights + " is not a file path", e);
            }
        }
        JarURLConnection jar = (JarURLConnection) weights.openConnection();
        Path dir = cacheRoot.resolve(String.format(Locale.ROOT, "knowcoder-mini-%08x", jar.getJarEntry().getCrc()));
        if (Files.isRegularFile(dir.resolve(FILES.getLast()))) return dir;
        return unpack(loader, dir);
    }

    private static Path cacheRoot() {
        String own = System.getenv("KNOWCODER_CACHE"), xdg = System.getenv("XDG_CACHE_HOME");
        if (own != null && !own.isEmpty()) return Path.of(own);
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "knowcoder");
        return Path.of(System.getProperty("user.home"), ".cache", "knowcoder");
    }

    /** Copies the files into a fresh sibling of {@code dir}, then renames it to {@code dir}; another process doing the same at once is fine. */
    private static Path unpack(ClassLoader loader, Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".partial-");
        try {
            for (String f : FILES) {
                try (InputStream in = loader.getResourceAsStream(RESOURCES + f)) {
                    if (in == null) throw new IllegalStateException("the embedded model lacks " + f);
                    Files.copy(in, tmp.resolve(f));
                }
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException raced) {
                if (!Files.isRegularFile(dir.resolve(FILES.getLast()))) throw raced;
            }
            return dir;
        } finally {
            Directories.deleteFlat(tmp);
        }
    }
}
