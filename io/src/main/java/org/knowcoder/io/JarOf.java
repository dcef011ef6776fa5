package org.knowcoder.io;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The jar file a class runs from, found through its class file as a resource: the jar on this run's
 * class path. (Its code source is not that: a class the JDK's AOT cache holds keeps the code source of
 * the run that made the cache, the jar where it was then, even when this run's jar is a copy elsewhere.)
 */
public final class JarOf {
    private JarOf() {}

    /** Empty when the class runs from a class directory (tests, an IDE) or from something that is not a jar file. */
    public static Optional<Path> jarOf(Class<?> c) {
        URL own = c.getResource("/" + c.getName().replace('.', '/') + ".class");
        if (own == null || !own.getProtocol().equals("jar")) return Optional.empty();
        try {
            URL jar = ((JarURLConnection) own.openConnection()).getJarFileURL(); // parses the URL: nothing is opened
            if (!jar.getProtocol().equals("file")) return Optional.empty();
            Path path = Path.of(jar.toURI());
            return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
