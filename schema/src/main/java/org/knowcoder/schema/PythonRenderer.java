package org.knowcoder.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes concepts as Python classes exactly as KnowCoder does: one tab of indentation, the
 * schema-following docstring form or the bare evaluation form of {@code *_class_defs.json}, and
 * the base classes each task's prompt starts with. Output depends on its arguments only.
 */
public final class PythonRenderer {
    private PythonRenderer() {}

    private static final String ENTITY_BASE_INIT = "\tdef __init__(self, name: str):\n\t\tself.name = name";
    private static final String RELATION_BASE_INIT = """
            \tdef __init__(self, head_entity: Entity, tail_entity: Entity):
            \t\tself.head_entity = head_entity
            \t\tself.tail_entity = tail_entity""";
    private static final String ED_BASE_INIT = """
            \tdef __init__(self, trigger: str, arg_names, *args):
            \t\tself.trigger = trigger
            \t\tself.arguments = {}
            \t\tfor arg_name, arg_values in zip(arg_names, args):
            \t\t\tself.arguments[arg_name] = arg_values""";
    private static final String EAE_BASE_INIT = "\tdef __init__(self, trigger: str):\n\t\tself.trigger = trigger";

    /**
     * The base classes a task's prompt starts with. Schema-following prompts define Entity before
     * Relation (RE) and before Event (EAE), for the type hints; the evaluation files hold only the
     * task's own base class.
     */
    public static List<String> baseClasses(Task task, Style style) {
        String entity = base("Entity", "entities", ENTITY_BASE_INIT, style);
        return switch (task) {
            case NER -> List.of(entity);
            case RE -> style == Style.EVAL ? List.of(base("Relation", "relations", RELATION_BASE_INIT, style))
                    : List.of(entity, base("Relation", "relations", RELATION_BASE_INIT, style));
            case ED -> List.of(base("Event", "events", ED_BASE_INIT, style));
            case EAE -> style == Style.EVAL ? List.of(base("Event", "events", EAE_BASE_INIT, style))
                    : List.of(entity, base("Event", "events", EAE_BASE_INIT, style));
        };
    }

    private static String base(String name, String plural, String init, Style style) {
        String doc = style == Style.FOLLOWING ? "\t\"\"\"\n\tThe base class for all " + plural + ".\n\t\"\"\"\n" : "";
        return "class " + name + ":\n" + doc + init;
    }

    /** The task's base classes, then each concept, separated by blank lines: the class part of a prompt. */
    public static String render(List<Concept> concepts, Task task, Style style) {
        List<String> parts = new ArrayList<>(baseClasses(task, style));
        for (Concept c : concepts) parts.add(render(c, task, style));
        return String.join("\n\n", parts);
    }

    /** One class, without a trailing newline. The concept's kind must be the task's. */
    public static String render(Concept c, Task task, Style style) {
        if (c.kind() != task.kind()) {
            throw new IllegalArgumentException(c.label() + " cannot be rendered for " + task + ", whose classes are "
                    + task.kind().jsonName() + " classes");
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append("class ").append(c.name()).append('(').append(c.pythonParent()).append("):\n");
        if (style == Style.FOLLOWING) docstring(c, task, sb);
        boolean following = style == Style.FOLLOWING;
        switch (task) {
            case NER -> {
                if (c.rules().isEmpty()) sb.append("\tpass\n");
            }
            case RE -> sb.append("\tdef __init__(self, head_entity: ").append(union(c.headTypes()))
                    .append(", tail_entity: ").append(union(c.tailTypes())).append("):\n\t\tsuper().__init__(")
                    .append(following ? "head_entity = head_entity, tail_entity = tail_entity" : "head_entity=head_entity, tail_entity=tail_entity")
                    .append(")\n");
            case ED -> edInit(c, following, sb);
            case EAE -> eaeInit(c, following, sb);
        }
        for (PostRule rule : c.rules()) {
            for (String line : RuleCode.lines(rule)) sb.append(line).append('\n');
        }
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    private static void docstring(Concept c, Task task, StringBuilder sb) {
        sb.append("\t\"\"\"\n\tDescription: ").append(PythonText.description(c.description())).append('\n');
        String examples = switch (task) {
            case NER -> c.examples().isEmpty() ? null : PythonText.items(c.examples(), false);
            case RE -> c.pairExamples().isEmpty() ? null : PythonText.pairs(c.pairExamples());
            case ED -> c.examples().isEmpty() ? null : PythonText.items(c.examples(), true);
            case EAE -> null; // EAE shows the trigger words beside the trigger parameter
        };
        if (examples != null) sb.append("\tExamples: ").append(examples).append('\n');
        sb.append("\t\"\"\"\n");
    }

    private static void edInit(Concept c, boolean following, StringBuilder sb) {
        List<String> names = c.roles().stream().map(Role::name).toList();
        boolean positional = !following && c.edSignature() == EdSignature.POSITIONAL;
        sb.append(positional ? "\tdef __init__(self, trigger: str, arg_names, *args):\n" : "\tdef __init__(self, trigger: str, *args):\n")
                .append("\t\targ_names = ").append(PythonText.stringList(names, following ? '"' : '\'')).append('\n')
                .append("\t\tsuper().__init__(")
                .append(following ? "trigger = trigger, arg_names = arg_names, *args"
                        : positional ? "trigger, arg_names, *args" : "*args, trigger=trigger, arg_names=arg_names")
                .append(")\n");
    }

    private static void eaeInit(Concept c, boolean following, StringBuilder sb) {
        sb.append("\tdef __init__(\n\t\tself,\n\t\ttrigger: str,");
        if (following && !c.examples().isEmpty()) sb.append(" # Examples: ").append(PythonText.items(c.examples(), true));
        sb.append('\n');
        List<Role> roles = c.roles();
        for (int i = 0; i < roles.size(); i++) {
            sb.append("\t\t").append(roles.get(i).name()).append(": List[ ").append(union(roles.get(i).types())).append(" ]");
            if (i + 1 < roles.size()) sb.append(following ? "," : ", ");
            sb.append('\n');
        }
        sb.append("\t):\n\t\tsuper().__init__(").append(following ? "trigger = trigger" : "trigger=trigger").append(")\n");
        for (Role r : roles) sb.append("\t\tself.").append(r.name()).append(" = ").append(r.name()).append('\n');
    }

    /** A type hint: the types joined by " | ", or Entity when there is no constraint. */
    static String union(List<String> types) {
        return types.isEmpty() ? Kind.ENTITY.baseClass() : String.join(" | ", types);
    }
}
