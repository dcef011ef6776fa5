package org.knowcoder.schema;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Python text of each {@link PostRule}: a {@code @classmethod} taking the span and the
 * sentence, whose body does what {@link PostRule#apply} does. Reading accepts exactly this text.
 */
final class RuleCode {
    private RuleCode() {}

    static final String DECORATOR = "\t@classmethod";
    private static final Pattern DEF = Pattern.compile("\tdef (\\w+)\\(cls, span: str, sentence: str\\):");
    private static final Pattern CUT = Pattern.compile("\t\tfor separator in (\\[.*]):");
    private static final Pattern APPEND = Pattern.compile(
            "\t\tif span\\.replace\\(\",\", \"\"\\)\\.replace\\(\"\\.\", \"\"\\)\\.isdigit\\(\\) and span \\+ (\".*\") in sentence:");
    private static final Pattern DROP = Pattern.compile("\t\tif span\\.lower\\(\\) in (\\[.*]):");

    /** The method's lines, indented for a class body. */
    static List<String> lines(PostRule rule) {
        String def = "\tdef " + rule.method() + "(cls, span: str, sentence: str):";
        return switch (rule) {
            case PostRule.CutAt cut -> List.of(DECORATOR, def,
                    "\t\tfor separator in " + PythonText.stringList(cut.separators(), '"') + ":",
                    "\t\t\tspan = span.split(separator)[0]",
                    "\t\treturn span");
            case PostRule.AppendSuffix append -> List.of(DECORATOR, def,
                    "\t\tif span.replace(\",\", \"\").replace(\".\", \"\").isdigit() and span + "
                            + PythonText.literal(append.suffix(), '"') + " in sentence:",
                    "\t\t\treturn span + " + PythonText.literal(append.suffix(), '"'),
                    "\t\treturn span");
            case PostRule.DropWords drop -> List.of(DECORATOR, def,
                    "\t\tif span.lower() in " + PythonText.stringList(drop.words(), '"') + ":",
                    "\t\t\treturn None",
                    "\t\treturn span");
        };
    }

    /** How many lines every rule's method has. */
    static final int LINES = 5;

    /**
     * Reads one method from {@code lines[from, from + LINES)}. Throws IllegalArgumentException with
     * the offset of the line it could not read in its message's first token.
     */
    static PostRule read(List<String> lines, int from) {
        Matcher def = DEF.matcher(lines.get(from + 1));
        if (!lines.get(from).equals(DECORATOR) || !def.matches()) throw new RuleSyntax(def.matches() ? 0 : 1);
        String second = lines.get(from + 2);
        PostRule rule = switch (def.group(1)) {
            case "cut_at" -> {
                Matcher m = matchOrFail(CUT, second);
                yield new PostRule.CutAt(PythonText.readStringList(m.group(1)));
            }
            case "append_suffix" -> {
                Matcher m = matchOrFail(APPEND, second);
                yield new PostRule.AppendSuffix(readWhole(m.group(1)));
            }
            case "drop_words" -> {
                Matcher m = matchOrFail(DROP, second);
                yield new PostRule.DropWords(PythonText.readStringList(m.group(1)));
            }
            default -> throw new RuleSyntax(1);
        };
        List<String> expected = lines(rule);
        for (int k = 0; k < LINES; k++) {
            if (!expected.get(k).equals(lines.get(from + k))) throw new RuleSyntax(k);
        }
        return rule;
    }

    private static Matcher matchOrFail(Pattern p, String line) {
        Matcher m = p.matcher(line);
        if (!m.matches()) throw new RuleSyntax(2);
        return m;
    }

    private static String readWhole(String literal) {
        PythonText.Literal lit = PythonText.readLiteral(literal, 0);
        if (lit.end() != literal.length()) throw new RuleSyntax(2);
        return lit.value();
    }

    /** A method line that is not one of the rules' text; {@code offset} is its index within the method. */
    static final class RuleSyntax extends IllegalArgumentException {
        final int offset;

        RuleSyntax(int offset) {
            super("not a post-processing class method this library knows (cut_at, append_suffix, drop_words)");
            this.offset = offset;
        }
    }
}
