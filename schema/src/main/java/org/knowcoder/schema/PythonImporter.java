package org.knowcoder.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Python class definitions in every style {@link PythonRenderer} writes (and so KnowCoder's
 * {@code Entities.py}, {@code Relations.py}, {@code Events.py}, prompts and class definitions)
 * back into concepts: {@code parse(render(c))} gives {@code c}. A class's kind follows from its
 * constructor: none ({@code pass}) is an entity, {@code head_entity}/{@code tail_entity} a
 * relation, {@code trigger} an event. Base classes are recognised and skipped; import lines,
 * comments and blank lines between classes are ignored; any other line is an error naming it.
 */
public final class PythonImporter {
    private static final String ID = "[\\p{L}_][\\p{L}\\p{N}_]*";
    private static final Pattern CLASS = Pattern.compile("class (" + ID + ")(?:\\((" + ID + ")\\))?:");
    private static final Pattern RELATION_INIT = Pattern.compile(
            "\tdef __init__\\(self, head_entity: (.+), tail_entity: (.+)\\):");
    private static final Pattern ARG_NAMES = Pattern.compile("\t\targ_names = (\\[.*])");
    private static final Pattern ROLE = Pattern.compile("\t\t(" + ID + "): List\\[ (.+) ](?:, ?)?");
    private static final Pattern TYPE = Pattern.compile(ID);
    private static final String DOC = "\t\"\"\"";
    private static final String EXAMPLES_COMMENT = "\t\ttrigger: str, # Examples: ";

    private final String source;
    private final List<String> lines;
    private final List<Concept> out = new ArrayList<>();
    private int at; // index of the next line to read

    private PythonImporter(String text, String source) {
        this.source = source;
        this.lines = text.lines().toList();
    }

    /** The concepts defined in {@code text}, in order; {@code source} names it in errors. */
    public static List<Concept> parse(String text, String source) {
        PythonImporter p = new PythonImporter(text, source);
        p.module();
        return p.out;
    }

    private void module() {
        while (at < lines.size()) {
            String line = lines.get(at);
            if (line.isBlank() || line.startsWith("#") || line.startsWith("from ") || line.startsWith("import ")) {
                at++;
                continue;
            }
            Matcher header = CLASS.matcher(line);
            if (!header.matches()) throw error("expected a class definition");
            at++;
            if (header.group(2) == null) baseClass(header.group(1));
            else out.add(concept(header.group(1), header.group(2)));
        }
    }

    /** A class with no superclass must be one of the base classes, character for character. */
    private void baseClass(String name) {
        int start = at - 1;
        int end = at;
        while (end < lines.size() && lines.get(end).startsWith("\t")) end++;
        String block = String.join("\n", lines.subList(start, end));
        for (Task task : Task.values()) {
            for (Style style : Style.values()) {
                if (PythonRenderer.baseClasses(task, style).contains(block)) {
                    at = end;
                    return;
                }
            }
        }
        at = start;
        boolean known = name.equals("Entity") || name.equals("Relation") || name.equals("Event");
        throw error(known ? "base class " + name + " differs from KnowCoder's" : "class " + name + " has no superclass");
    }

    private Concept concept(String name, String parent) {
        String description = "", examples = null;
        int examplesAt = -1;
        if (next(DOC)) {
            at++;
            while (!next(DOC)) {
                String line = line("docstring is not closed");
                if (line.startsWith("\tDescription: ")) description = read(() -> PythonText.readDescription(line.substring(14)));
                else if (line.startsWith("\tExamples: ")) {
                    examples = line.substring(11);
                    examplesAt = at;
                }
                else throw error("expected Description: or Examples: in the docstring");
                at++;
            }
            at++;
        }
        Concept.Builder b;
        String body = at < lines.size() ? lines.get(at) : "";
        Matcher relation = RELATION_INIT.matcher(body);
        if (body.equals("\tpass")) {
            at++;
            b = Concept.builder(Kind.ENTITY, name);
            if (examples != null) b.examples(itemsAt(examplesAt, examples, false));
        } else if (relation.matches()) {
            b = Concept.builder(Kind.RELATION, name).headTypes(types(relation.group(1))).tailTypes(types(relation.group(2)));
            at++;
            expectOneOf("\t\tsuper().__init__(head_entity = head_entity, tail_entity = tail_entity)",
                    "\t\tsuper().__init__(head_entity=head_entity, tail_entity=tail_entity)");
            if (examples != null) {
                String text = examples;
                b.pairExamples(readAt(examplesAt, () -> PythonText.readPairs(text)));
            }
        } else if (body.equals("\tdef __init__(self, trigger: str, *args):")
                || body.equals("\tdef __init__(self, trigger: str, arg_names, *args):")) {
            b = edEvent(name, body.contains("arg_names"));
            if (examples != null) b.examples(itemsAt(examplesAt, examples, true));
        } else if (body.equals("\tdef __init__(")) {
            b = eaeEvent(name, examples == null ? List.of() : itemsAt(examplesAt, examples, true));
        } else if (body.equals(RuleCode.DECORATOR)) {
            b = Concept.builder(Kind.ENTITY, name);
            if (examples != null) b.examples(itemsAt(examplesAt, examples, false));
        } else {
            throw error(at < lines.size() ? "expected pass, a constructor or a class method" : "class " + name + " has no body");
        }
        b.parent(parent).description(description);
        while (next(RuleCode.DECORATOR)) b.addRule(rule());
        if (at < lines.size() && lines.get(at).startsWith("\t")) throw error("unexpected line in class " + name);
        return b.build();
    }

    private Concept.Builder edEvent(String name, boolean positional) {
        at++;
        Matcher argNames = ARG_NAMES.matcher(line("constructor ends early"));
        if (!argNames.matches()) throw error("expected arg_names = [...]");
        List<Role> roles = read(() -> PythonText.readStringList(argNames.group(1))).stream().map(Role::new).toList();
        at++;
        if (positional) expectOneOf("\t\tsuper().__init__(trigger, arg_names, *args)");
        else expectOneOf("\t\tsuper().__init__(trigger = trigger, arg_names = arg_names, *args)",
                "\t\tsuper().__init__(*args, trigger=trigger, arg_names=arg_names)");
        return Concept.builder(Kind.EVENT, name).roles(roles)
                .edSignature(positional ? EdSignature.POSITIONAL : EdSignature.KEYWORD);
    }

    private Concept.Builder eaeEvent(String name, List<String> docExamples) {
        at++;
        expectOneOf("\t\tself,");
        String trigger = line("constructor ends early");
        List<String> examples = docExamples;
        if (trigger.startsWith(EXAMPLES_COMMENT)) examples = itemsAt(at, trigger.substring(EXAMPLES_COMMENT.length()), true);
        else if (!trigger.equals("\t\ttrigger: str,")) throw error("expected trigger: str,");
        at++;
        List<Role> roles = new ArrayList<>();
        while (!next("\t):")) {
            Matcher role = ROLE.matcher(line("constructor is not closed by '\t):'"));
            if (!role.matches()) throw error("expected a role as NAME: List[ TYPES ]");
            roles.add(new Role(role.group(1), types(role.group(2))));
            at++;
        }
        at++;
        expectOneOf("\t\tsuper().__init__(trigger = trigger)", "\t\tsuper().__init__(trigger=trigger)");
        for (Role r : roles) expectOneOf("\t\tself." + r.name() + " = " + r.name());
        return Concept.builder(Kind.EVENT, name).roles(roles).examples(examples);
    }

    private PostRule rule() {
        if (at + RuleCode.LINES > lines.size()) {
            at = lines.size() - 1;
            throw error("class method ends early");
        }
        try {
            PostRule rule = RuleCode.read(lines, at);
            at += RuleCode.LINES;
            return rule;
        } catch (RuleCode.RuleSyntax e) {
            at += e.offset;
            throw error(e.getMessage());
        } catch (IllegalArgumentException e) {
            at += 2;
            throw error(e.getMessage());
        }
    }

    private List<String> types(String union) {
        List<String> types = List.of(union.split(" \\| ", -1));
        for (String t : types) {
            if (!TYPE.matcher(t).matches()) throw error("type hint '" + union + "' is not a class or a union A | B");
        }
        return types;
    }

    private List<String> itemsAt(int index, String text, boolean trailing) {
        return readAt(index, () -> PythonText.readItems(text, trailing));
    }

    /** Runs a reader of text on the current line, turning its complaint into an error naming the line. */
    private <T> T read(Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    /** As {@link #read}, for text found earlier on line {@code index}. */
    private <T> T readAt(int index, Supplier<T> reader) {
        int here = at;
        at = index;
        T value = read(reader);
        at = here;
        return value;
    }

    private boolean next(String line) {
        return at < lines.size() && lines.get(at).equals(line);
    }

    private String line(String whenMissing) {
        if (at >= lines.size()) {
            at = lines.size() - 1;
            throw error(whenMissing);
        }
        return lines.get(at);
    }

    private void expectOneOf(String... expected) {
        String line = line("class ends early; expected " + expected[0].strip());
        for (String e : expected) {
            if (line.equals(e)) {
                at++;
                return;
            }
        }
        throw error("expected " + expected[0].strip());
    }

    private SchemaSyntaxException error(String reason) {
        int index = Math.max(0, Math.min(at, lines.size() - 1));
        return new SchemaSyntaxException(source, index + 1, reason, lines.isEmpty() ? "" : lines.get(index));
    }
}
