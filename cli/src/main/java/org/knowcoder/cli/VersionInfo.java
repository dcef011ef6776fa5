package org.knowcoder.cli;

import jdk.incubator.vector.FloatVector;
import picocli.CommandLine;

/**
 * {@code knowcoder --version}: the version, then the runtime the kernels get: the Java version,
 * whether the Vector API module is loaded (the {@link Launcher} relaunch adds it) and its vector
 * width, and the cores the worker pool can use.
 */
final class VersionInfo implements CommandLine.IVersionProvider {
    static final String VERSION = "knowcoder 0.1.0";

    @Override
    public String[] getVersion() {
        return new String[] {VERSION, "Java " + Runtime.version() + ", " + vectorApi() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores"};
    }

    private static String vectorApi() {
        if (ModuleLayer.boot().findModule(Launcher.VECTOR_MODULE).isEmpty()) {
            return "Vector API off (" + Launcher.VECTOR_MODULE + " is not loaded; start the JVM with --add-modules "
                    + Launcher.VECTOR_MODULE + ")";
        }
        // only reached with the module present, so FloatVector always resolves here
        return "Vector API on (" + Launcher.VECTOR_MODULE + ", " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit float vectors)";
    }
}
