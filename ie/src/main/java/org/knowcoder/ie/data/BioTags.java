package org.knowcoder.ie.data;

import org.knowcoder.ie.Mention;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Mentions from a sentence's BIO (or BIOES) tags. An I- or E- tag that does not continue a mention
 * of its type starts one, as conlleval reads it, so no tagged token is lost.
 */
final class BioTags {
    static final Pattern TAG = Pattern.compile("O|[BIES]-\\S.*");

    private BioTags() {}

    static List<Mention> mentions(TokenText tokens, List<String> tags) {
        List<Mention> out = new ArrayList<>();
        String type = null;
        int start = 0;
        for (int i = 0; i <= tags.size(); i++) {
            String tag = i < tags.size() ? tags.get(i) : "O";
            char kind = tag.charAt(0);
            String tagType = tag.length() > 2 ? tag.substring(2) : null;
            boolean continues = type != null && (kind == 'I' || kind == 'E') && type.equals(tagType);
            if (type != null && !continues) out.add(tokens.mention(type, start, i));
            if (!continues) {
                type = tagType;
                start = i;
            }
            if (type != null && (kind == 'E' || kind == 'S')) {
                out.add(tokens.mention(type, start, i + 1));
                type = null;
            }
        }
        return out;
    }
}
