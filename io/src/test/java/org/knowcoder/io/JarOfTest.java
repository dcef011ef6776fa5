package org.knowcoder.io;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A class in a jar names that jar; one from a class directory names none. */
class JarOfTest {
    @Test
    void aClassFromAJarNamesTheJar() {
        Path jar = JarOf.jarOf(Test.class).orElseThrow();
        assertTrue(jar.getFileName().toString().endsWith(".jar") && Files.isRegularFile(jar), jar.toString());
    }

    @Test
    void aClassFromAClassDirectoryNamesNone() {
        assertEquals(Optional.empty(), JarOf.jarOf(JarOfTest.class));
    }
}
