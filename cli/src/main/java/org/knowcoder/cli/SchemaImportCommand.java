package org.knowcoder.cli;

import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.InvalidSchemaException;
import org.knowcoder.schema.SchemaImport;
import org.knowcoder.schema.SchemaLibrary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", description = "Import Python class definitions (.py, or .json of class name to code) into a library; nothing is written unless it validates.")
final class SchemaImportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILES", description = "Entities.py, Relations.py, Events.py, *_class_defs.json, ...")
    List<Path> files;

    @Mixin
    LibraryOutput output;

    @Option(names = "--stub-missing", description = "add a bare class for each parent or type named but not defined")
    boolean stubMissing;

    @Override
    public Integer call() throws IOException {
        List<Concept> imported = SchemaImport.read(files);
        List<Concept> all = stubMissing ? SchemaImport.withStubs(imported) : imported;
        SchemaLibrary library = stubMissing ? SchemaLibrary.of(all) : withStubHint(all);
        output.write(library);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("concepts", library.size());
        result.put("imported", imported.size());
        result.put("stubs", all.size() - imported.size());
        SchemaCommand.printJson(result);
        return 0;
    }

    /**
     * The library, or the validation error that says what --stub-missing would do where classes
     * are named but not defined: KnowCoder's released class definitions name parents and types they
     * never define (Person, ChemicalCompound), so importing them needs it.
     */
    private static SchemaLibrary withStubHint(List<Concept> concepts) {
        try {
            return SchemaLibrary.of(concepts);
        } catch (InvalidSchemaException e) {
            if (e.problems().stream().noneMatch(p -> p.rule().equals("unknown-parent") || p.rule().equals("unknown-type"))) throw e;
            throw new BadInputException(e.getMessage() + " (--stub-missing adds a bare class for each parent or type named but not defined)", e);
        }
    }
}
