package org.knowcoder.ie.constrain;

import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Concept;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.Task;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The answers one prompt may have, byte by byte: the {@code results = [...]} block exactly as
 * KnowCoder's training data writes it ({@link org.knowcoder.ie.prompt.PyCode}), with the prompt's
 * classes and the sentence's substrings only:
 * <pre>
 * results = []
 * results = [\n\tCls("span"),\n\tCls("span")\n]                              NER, ED
 * \tRel(Head("head"), Tail("tail"))                                           RE: Entity, the hinted types or their subclasses
 * \tEv(trigger = "t", role = [Entity("a"), Entity("b")], other = [...])      EAE: the class's roles, each once
 * </pre>
 * A span is the text between double quotes: a substring of the sentence once Python's escapes are
 * read (a quote, backslash or line break of the sentence is written escaped, as
 * {@link org.knowcoder.ie.output.OutputParser} reads it), starting and ending on whole UTF-8
 * characters that are not whitespace, as annotated spans do. The grammar is a small program of elements; a {@link State} is where one
 * answer is in it, and every state reached can still be completed, so a token is allowed exactly
 * when its bytes step through.
 */
public final class ResultsGrammar {
    private enum Op { LITERALS, NAME, SPAN, END }

    /** Which names an element chooses among: the prompt's classes, or per chosen class its heads, tails or roles. */
    private enum Names { CLASS, HEAD, TAIL, ROLE }

    /** A program element: literal alternatives (distinct first bytes) with their targets, a name choice, a span or the end; {@code next} follows a name or span. */
    private record Element(Op op, byte[][] literals, int[] targets, Names names, int next) {}

    /** Where an answer is (fields its element does not use are 0, the literal -1): the element, the literal being matched and how far, the class chosen, the name trie node, the span's automaton state, UTF-8 bytes still owed, a pending backslash, the roles used. */
    record State(int element, int literal, int pos, int cls, int node, int sam, int owed, boolean escape, long roles) {}

    private static final int START = 0, CLASS_CHOICE = 2;
    /** The block's code around its items: opening, before the first item, between items, closing after one, closing empty. */
    private static final String OPEN = "results = [", FIRST = "\n\t", BETWEEN = ",\n\t", CLOSE = "\n]", CLOSE_EMPTY = "]";
    private static final String ENTITY = "Entity";
    /** The characters a span writes escaped, as the escapes read them. */
    private static final int[] ESCAPED = {'"', '\\', '\'', '\n', '\t', '\r'};

    private final List<Element> program;
    private final NameTrie classes;
    private final List<NameTrie> heads = new ArrayList<>(), tails = new ArrayList<>(), roles = new ArrayList<>();
    private final SentenceAutomaton sentence;
    /** The element after an item: a state entering it has just closed one. */
    private final int afterItem;

    private ResultsGrammar(Task task, List<Concept> concepts, String sentence) {
        this.sentence = new SentenceAutomaton(sentence);
        List<String> names = new ArrayList<>();
        for (Concept c : concepts) {
            names.add(identifier(c.name()));
            heads.add(new NameTrie(argumentClasses(c.headTypes())));
            tails.add(new NameTrie(argumentClasses(c.tailTypes())));
            List<String> roleNames = c.roles().stream().map(Role::name).map(ResultsGrammar::identifier).distinct().toList();
            if (roleNames.size() > 64) throw new BadInputException("event class " + c.name() + " has " + roleNames.size() + " roles; constrained decoding takes at most 64");
            roles.add(new NameTrie(roleNames));
        }
        this.classes = new NameTrie(names);
        program = new ArrayList<>();
        add(lit(OPEN, 1));                                              // 0
        add(alt(CLOSE_EMPTY, -1, FIRST, CLASS_CHOICE));                 // 1 (-1: the end, patched below)
        add(name(Names.CLASS, 3));                                      // 2
        switch (task) {
            case NER, ED -> {
                add(lit("(\"", 4));                                     // 3
                add(quoted(5));                                         // 4
                add(lit(")", -2));                                      // 5 (-2: after the item)
            }
            case RE -> {
                add(lit("(", 4));                                       // 3
                add(name(Names.HEAD, 5));                               // 4
                add(lit("(\"", 6));                                     // 5
                add(quoted(7));                                         // 6
                add(lit("), ", 8));                                     // 7
                add(name(Names.TAIL, 9));                               // 8
                add(lit("(\"", 10));                                    // 9
                add(quoted(11));                                        // 10
                add(lit("))", -2));                                     // 11
            }
            case EAE -> {
                add(lit("(trigger = \"", 4));                           // 3
                add(quoted(5));                                         // 4
                add(alt(")", -2, ", ", 6));                             // 5
                add(name(Names.ROLE, 7));                               // 6
                add(lit(" = [Entity(\"", 8));                           // 7
                add(quoted(9));                                         // 8
                add(lit(")", 10));                                      // 9
                add(alt("]", 5, ", Entity(\"", 8));                     // 10
            }
        }
        afterItem = program.size();
        add(alt(BETWEEN, CLASS_CHOICE, CLOSE, -1));
        int end = program.size();
        add(new Element(Op.END, null, null, null, -1));
        for (Element e : program) {
            if (e.targets == null) continue;
            for (int i = 0; i < e.targets.length; i++) e.targets[i] = e.targets[i] == -1 ? end : e.targets[i] == -2 ? afterItem : e.targets[i];
        }
    }

    /** The grammar of one prompt: its query's classes (and their signatures), its sentence. */
    public static ResultsGrammar of(DatasetSchema schema, String sentence) {
        return new ResultsGrammar(schema.task(), schema.concepts(), sentence);
    }

    /** Where every answer starts. */
    State start() {
        return new State(START, -1, 0, -1, 0, 0, 0, false, 0);
    }

    boolean isEnd(State s) {
        return program.get(s.element).op == Op.END;
    }

    /** Whether {@code s} is where an item starts: its class name comes next. */
    boolean startsItem(State s) {
        return s.element == CLASS_CHOICE && s.node == 0;
    }

    /** Whether the next byte from {@code s} is quoted: a span's character or its closing quote. */
    boolean inSpan(State s) {
        return program.get(s.element).op == Op.SPAN;
    }

    /** Whether {@code s} has just closed an item. */
    boolean endsItem(State s) {
        return s.element == afterItem && s.pos == 0;
    }

    /** The whole block of {@code items}, each an item's bytes as the grammar spells it. */
    static byte[] block(List<byte[]> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(OPEN));
        for (int i = 0; i < items.size(); i++) {
            out.writeBytes(bytes(i == 0 ? FIRST : BETWEEN));
            out.writeBytes(items.get(i));
        }
        out.writeBytes(bytes(items.isEmpty() ? CLOSE_EMPTY : CLOSE));
        return out.toByteArray();
    }

    /** The bytes that close the block from {@code s} at once ("]" after the opening, "\n]" after an item), or null where it cannot close. */
    byte[] closing(State s) {
        Element e = program.get(s.element);
        if (e.op != Op.LITERALS || s.pos != 0) return null;
        for (int i = 0; i < e.literals.length; i++) if (program.get(e.targets[i]).op == Op.END) return e.literals[i];
        return null;
    }

    /** The state after byte {@code b} (0..255), or null when no answer continues so. */
    State step(State s, int b) {
        Element e = program.get(s.element);
        return switch (e.op) {
            case LITERALS -> {
                if (s.pos == 0) {
                    for (int i = 0; i < e.literals.length; i++) {
                        if ((e.literals[i][0] & 0xFF) == b && enterable(e.targets[i], s)) yield literal(e, i, 1, s);
                    }
                    yield null;
                }
                yield (e.literals[s.literal][s.pos] & 0xFF) == b ? literal(e, s.literal, s.pos + 1, s) : null;
            }
            case NAME -> {
                NameTrie trie = trie(e.names, s.cls);
                long excluded = e.names == Names.ROLE ? s.roles : 0;
                int child = trie.child(s.node, b);
                if (child != NameTrie.NONE && trie.live(child, excluded)) yield withNode(s, child);
                int named = trie.terminal(s.node);
                if (named == NameTrie.NONE || named < 64 && (excluded & 1L << named) != 0) yield null;
                // the name is complete: this byte belongs to what follows it
                State after = e.names == Names.CLASS ? new State(e.next, -1, 0, named, 0, 0, 0, false, 0)
                        : new State(e.next, -1, 0, s.cls, 0, 0, 0, false, e.names == Names.ROLE && named < 64 ? s.roles | 1L << named : s.roles);
                yield step(after, b);
            }
            case SPAN -> span(e, s, b);
            case END -> null;
        };
    }

    private State span(Element e, State s, int b) {
        if (s.escape) {
            int c = switch (b) {
                case '"', '\\', '\'' -> b;
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                default -> -1;
            };
            return c < 0 ? null : spanByte(s, c);
        }
        if (b == '"') return sentence.closable(s.sam) && s.owed == 0 ? at(s, e.next) : null;
        if (b == '\\') return escapable(s) ? new State(s.element, -1, 0, s.cls, 0, s.sam, s.owed, true, s.roles) : null;
        if (b == '\n') return null; // a raw line break ends no Python string
        return spanByte(s, b);
    }

    /** The span extended by the sentence byte {@code c}; a span starts on a character that is not whitespace, and a character's bytes come whole. */
    private State spanByte(State s, int c) {
        boolean continuation = (c & 0xC0) == 0x80;
        if (s.sam == SentenceAutomaton.ROOT && (continuation || SentenceAutomaton.isBlank(c))) return null;
        int next = sentence.step(s.sam, c);
        if (next == SentenceAutomaton.NONE) return null;
        int owed = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : continuation ? s.owed - 1 : 0;
        return new State(s.element, -1, 0, s.cls, 0, next, owed, false, s.roles);
    }

    /** Whether a backslash here can be followed: some escaped character continues the span. */
    private boolean escapable(State s) {
        if (s.owed != 0) return false;
        for (int c : ESCAPED) {
            if (spanByte(s, c) != null) return true;
        }
        return false;
    }

    private State literal(Element e, int literal, int pos, State s) {
        if (pos < e.literals[literal].length) return new State(s.element, literal, pos, s.cls, 0, 0, 0, false, s.roles);
        return at(s, e.targets[literal]);
    }

    /** Whether an answer can go on into {@code element}: a class needs classes and a sentence to quote, a role an unused role. */
    private boolean enterable(int element, State s) {
        Element e = program.get(element);
        return switch (e.op) {
            case NAME -> switch (e.names) {
                case CLASS -> classes.size() > 0 && sentence.quotable();
                case ROLE -> trie(Names.ROLE, s.cls).live(NameTrie.ROOT, s.roles);
                default -> true;
            };
            case SPAN -> sentence.quotable();
            default -> true;
        };
    }

    private static State at(State s, int element) {
        return new State(element, -1, 0, s.cls, 0, 0, 0, false, s.roles);
    }

    private static State withNode(State s, int node) {
        return new State(s.element, -1, 0, s.cls, node, 0, 0, false, s.roles);
    }

    private NameTrie trie(Names names, int cls) {
        return switch (names) {
            case CLASS -> classes;
            case HEAD -> heads.get(cls);
            case TAIL -> tails.get(cls);
            case ROLE -> roles.get(cls);
        };
    }

    private void add(Element e) {
        program.add(e);
    }

    private static Element lit(String text, int target) {
        return new Element(Op.LITERALS, new byte[][] {bytes(text)}, new int[] {target}, null, -1);
    }

    private static Element alt(String a, int targetA, String b, int targetB) {
        return new Element(Op.LITERALS, new byte[][] {bytes(a), bytes(b)}, new int[] {targetA, targetB}, null, -1);
    }

    private static Element name(Names names, int next) {
        return new Element(Op.NAME, null, null, names, next);
    }

    private static Element quoted(int next) {
        return new Element(Op.SPAN, null, null, null, next);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Entity, then the hinted types (with the library's subclasses, see DatasetSchema): what a relation's head or tail may be written as. */
    private static List<String> argumentClasses(List<String> hinted) {
        LinkedHashSet<String> out = new LinkedHashSet<>(List.of(ENTITY));
        for (String t : hinted) out.add(identifier(t));
        return List.copyOf(out);
    }

    /** A class or role name must be a Python identifier: anything else could not be written as a call or keyword. */
    private static String identifier(String name) {
        boolean ok = !name.isEmpty() && Character.isJavaIdentifierStart(name.codePointAt(0)) && name.codePoints().allMatch(Character::isJavaIdentifierPart)
                && name.indexOf('$') < 0;
        if (!ok) throw new BadInputException("class or role name '" + name + "' is not a Python identifier; constrained decoding writes names as code");
        return name;
    }
}
