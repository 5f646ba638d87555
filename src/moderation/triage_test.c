/* triage_test.c — the comment triage: verdicts in both languages,
 * obfuscations, words that merely contain an insult, civil criticism, the
 * form signals, the learned part, robustness and speed (a TAP comment). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moderation/lexicon.h"
#include "moderation/triage.h"
#include "util/err.h"
#include "util/utf8.h"

static const char *const de_title = "Wärmepumpen: Förderung wird neu geregelt";
static const char *const de_body =
	"Die Bundesregierung ändert die **Förderung** für den Einbau von Wärmepumpen. Künftig hängt "
	"der Zuschuss vom Haushaltseinkommen ab; Familien mit niedrigem Einkommen können bis zu "
	"70 Prozent der Kosten erstattet bekommen ([Details](https://example.org/foerderung)). "
	"Handwerksbetriebe berichten von langen Wartezeiten. Kritiker bemängeln, dass Mieter kaum "
	"profitieren.";
static const char *const en_title = "City council approves bike lanes on Main Street";
static const char *const en_body =
	"The city council voted 7 to 2 on Tuesday to replace parking spaces on Main Street with "
	"protected bike lanes. Construction is set to begin in spring and will take about four "
	"months. Local shop owners worry about losing customers who arrive by car, while cycling "
	"groups say the lanes will make the street safer.";

static struct triage_input input(const char *lang, const char *comment)
{
	bool en = strcmp(lang, "en") == 0;
	return (struct triage_input){
		.lang = lang,
		.title = en ? en_title : de_title,
		.body = en ? en_body : de_body,
		.comment = comment,
		.fill_seconds = -1,
	};
}

static struct triage_result score(const struct triage_model *m, const struct triage_input *in)
{
	struct triage_result r;
	assert_int_equal(triage_score(m, in, &r), DP_OK);
	return r;
}

static bool has_reason(const struct triage_result *r, const char *part)
{
	for (size_t i = 0; i < r->nreasons; i++)
		if (strstr(r->reasons[i], part))
			return true;
	return false;
}

static void dump(const char *comment, const struct triage_result *r)
{
	fprintf(stderr, "# %s -> %s %.3f [ok %.2f off %.2f dem %.2f spam %.2f]\n", comment,
		triage_verdict_name(r->verdict), r->score, r->scores[0], r->scores[1], r->scores[2],
		r->scores[3]);
	for (size_t i = 0; i < r->nreasons; i++)
		fprintf(stderr, "#   - %s\n", r->reasons[i]);
}

struct verdict_case {
	const char *lang;
	const char *comment;
	enum triage_verdict verdict;
	const char *reason; /* a part of one reason, or NULL */
};

static void run_cases(const struct verdict_case *cases, size_t n)
{
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct triage_input in = input(cases[i].lang, cases[i].comment);
		struct triage_result r = score(NULL, &in);
		bool ok = r.verdict == cases[i].verdict && (!cases[i].reason || has_reason(&r, cases[i].reason));
		if (!ok) {
			fprintf(stderr, "# expected %s%s%s\n", triage_verdict_name(cases[i].verdict),
				cases[i].reason ? " with reason containing " : "",
				cases[i].reason ? cases[i].reason : "");
			dump(cases[i].comment, &r);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_names(void **state)
{
	(void)state;
	for (int v = 0; v < TRIAGE__MAX; v++)
		assert_int_equal(triage_verdict_parse(triage_verdict_name(v)), v);
	assert_string_equal(triage_verdict_name(TRIAGE_OFFTOPIC), "offtopic");
	assert_string_equal(triage_verdict_name(TRIAGE__MAX), "?");
	assert_int_equal(triage_verdict_parse("OK"), -1);
	assert_int_equal(triage_verdict_parse(NULL), -1);
}

static void test_clear_cases(void **state)
{
	(void)state;
	static const struct verdict_case cases[] = {
		{ "de", "Danke für den Artikel!", TRIAGE_OK, "Danke" },
		{ "de", "Danke!", TRIAGE_OK, NULL },
		{ "de", "Woher haben Sie die Zahlen?", TRIAGE_OK, "Frage an den Autor" },
		{ "de", "Wir haben letztes Jahr eine Wärmepumpe einbauen lassen, der Stromverbrauch ist niedrig.",
		  TRIAGE_OK, "Bezug zum Artikel" },
		{ "de", "Weiß jemand, wann das Freibad in Lindenau wieder öffnet? Ich war letzten Sommer jeden Tag dort schwimmen.",
		  TRIAGE_OFFTOPIC, "anderes Thema" },
		{ "de", "Weißt du, wann das Freibad in Lindenau wieder öffnet? Ich will morgen schwimmen gehen.",
		  TRIAGE_OFFTOPIC, NULL },
		{ "de", "Mein Hund hat heute im Garten drei Maulwürfe ausgegraben, die Nachbarn sind begeistert.",
		  TRIAGE_OFFTOPIC, "kaum Bezug" },
		{ "de", "Du bist ein Vollidiot!", TRIAGE_DEMEANING, "»Vollidiot«" },
		{ "de", "Der Autor ist ein Idiot.", TRIAGE_DEMEANING, "an den Autor gerichtet" },
		{ "de", "Diese Flüchtlinge sind doch alle Ungeziefer.", TRIAGE_DEMEANING, "gegen eine Gruppe" },
		{ "de", "Sie sind wirklich unglaublich dumm.", TRIAGE_DEMEANING, "herabsetzende Zuschreibung" },
		{ "de", "Halt doch einfach die Fresse.", TRIAGE_DEMEANING, "beleidigende Wendung" },
		{ "de", "Wer so einen Unsinn glaubt, ist ein Trottel.", TRIAGE_DEMEANING, "verallgemeinernd" },
		{ "de", "Lügenpresse! Die Redaktion lügt doch nur.", TRIAGE_DEMEANING, "Verachtung für Journalisten" },
		{ "de", "Verdienen Sie 5000 € pro Monat von zu Hause! Infos auf example dot com", TRIAGE_SPAM,
		  "verschleierter Link" },
		{ "de", "Günstige Heizungen hier: hxxp://heizung-billig.example", TRIAGE_SPAM, "verschleierter Link" },
		{ "de", "Potenzmittel ohne Rezept: www.apotheke-diskret.ru", TRIAGE_SPAM, "Link" },
		{ "en", "Thanks for the article!", TRIAGE_OK, NULL },
		{ "en", "Could you explain where the parking spaces will go?", TRIAGE_OK, "question to the author" },
		{ "en", "Does anyone know a good pizza place near the station? Looking for somewhere with outdoor seating.",
		  TRIAGE_OFFTOPIC, NULL },
		{ "en", "My cat learned to open the fridge yesterday, now she steals cheese every night.",
		  TRIAGE_OFFTOPIC, "little relation" },
		{ "en", "You are a moron.", TRIAGE_DEMEANING, "aimed at the person addressed" },
		{ "en", "The author is a clueless hack.", TRIAGE_DEMEANING, "aimed at the author" },
		{ "en", "Cyclists are parasites.", TRIAGE_DEMEANING, "aimed at a group" },
		{ "en", "Make money from home, $5000 a month! Visit www.easy-cash.biz now", TRIAGE_SPAM, "link" },
		{ "en", "Cheap pills without prescription: pharmacy-direct [dot] com", TRIAGE_SPAM, "disguised link" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_civil_criticism(void **state)
{
	(void)state;
	static const struct verdict_case cases[] = {
		{ "de", "Die Förderung geht völlig an der Realität vorbei. Mieter haben davon gar nichts.", TRIAGE_OK, NULL },
		{ "de", "Sehr einseitiger Artikel, schlecht recherchiert. Die Kritik der Vermieter fehlt völlig.", TRIAGE_OK, NULL },
		{ "de", "Das ist eine dumme Idee der Bundesregierung, die Wärmepumpen-Förderung bringt nichts.", TRIAGE_OK, NULL },
		{ "de", "Ich halte Ihre Darstellung der Förderung für falsch und ärgerlich, Herr Autor.", TRIAGE_OK, NULL },
		{ "de", "Unsinn. Die 70 Prozent bekommt kaum eine Familie, das sollten Sie nachrechnen.", TRIAGE_OK, NULL },
		{ "de", "Ich bin doch kein Idiot: Ohne Dämmung lohnt sich eine Wärmepumpe nicht.", TRIAGE_OK, NULL },
		{ "en", "I strongly disagree with the council, this plan will hurt every shop on Main Street.", TRIAGE_OK, NULL },
		{ "en", "This is lazy, one-sided reporting. Not a single shop owner is quoted.", TRIAGE_OK, NULL },
		{ "en", "What a stupid plan. Bike lanes on Main Street will kill the shops.", TRIAGE_OK, NULL },
		{ "en", "You are wrong about the parking: the council counted only half the spaces.", TRIAGE_OK, NULL },
		{ "de", "Die Bundesregierung ist bei der Förderung unfähig, und Sie als Autor sind da zu unkritisch.",
		  TRIAGE_OK, NULL },
		{ "de", "Herr Autor, Sie sind ein Heuchler: Sie fordern Wärmepumpen und heizen selbst mit Gas?", TRIAGE_OK, NULL },
		{ "en", "Honestly, you are ignorant of how shops on Main Street work.", TRIAGE_OK, NULL },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_obfuscation(void **state)
{
	(void)state;
	static const struct verdict_case cases[] = {
		{ "de", "Du bist ein I d i o t", TRIAGE_DEMEANING, "verschleiert" },
		{ "de", "Du bist ein I d i 0 t", TRIAGE_DEMEANING, "verschleiert" },
		{ "de", "Du Id1ot", TRIAGE_DEMEANING, "verschleiert" },
		{ "de", "Du bist ein Idiooooot", TRIAGE_DEMEANING, "verschleiert" },
		{ "de", "Du bist ein A****loch", TRIAGE_DEMEANING, "verschleiert" },
		{ "de", "Du V.o.l.l.i.d.i.o.t", TRIAGE_DEMEANING, NULL },
		{ "de", "Du bist ein i-d-i-o-t", TRIAGE_DEMEANING, NULL },
		{ "de", "d u   b i s t   e i n   I d i o t", TRIAGE_DEMEANING, NULL },
		{ "de", "Du bist d u m m, d u m m", TRIAGE_DEMEANING, NULL },
		{ "de", "Du bist so b1öd", TRIAGE_DEMEANING, NULL },
		{ "de", "Du bist so bloed", TRIAGE_DEMEANING, NULL },
		{ "de", "Halt's Maul!", TRIAGE_DEMEANING, NULL },
		{ "en", "You are a m0r0n", TRIAGE_DEMEANING, "obfuscated" },
		{ "en", "you st*pid idiot", TRIAGE_DEMEANING, NULL },
		{ "en", "Shut up, you d u m b a s s", TRIAGE_DEMEANING, NULL },
		{ "en", "Buy v1agra now", TRIAGE_SPAM, "obfuscated" },
		{ "en", "great deals at cheap-stuff [dot] com", TRIAGE_SPAM, "disguised link" },
		{ "en", "great deals at cheap-stuff(.)com", TRIAGE_SPAM, "disguised link" },
		{ "de", "Mehr dazu: h t t p s example", TRIAGE_SPAM, "verschleierter Link" },
		{ "de", "Angebote unter www . billig-heizen . de", TRIAGE_SPAM, "verschleierter Link" },
	};
	run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Harmless words that contain an insult, and words with a harmless reading. */
static void test_scunthorpe(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"Ein echter Klassiker unter den Heizungen.", "Die Schwanzflosse des Wals war riesig.",
		"My therapist recommended this article.", "Asien importiert mehr Wärmepumpen als Europa.",
		"Das macht richtig Spaß.", "Die Analyse ist gut.", "Scunthorpe United won again.",
		"Der Assistent der Geschäftsführung hat angerufen.", "Wildschweine im Stadtpark.",
		"Das Buch ist sehr dick.", "Die Spastik ist eine Muskelerkrankung.", "Dickens schrieb viel.",
		"Die Mongolei liegt in Asien.", "Penne mit Tomaten.", "Die Stadt bekämpft Ratten in der Kanalisation.",
		"Die Nazis kamen 1933 an die Macht.", "The assessment was classic.", "Shiitake mushrooms.",
		"Essex and Sussex.", "Ich bin doch kein Idiot.", "Die Idee ist dumm.", "I made a cake.",
		"As I said, the hack was fixed.", "Sie hat ihr Kind abgeholt.", "Die Zündversager am Motor.",
		"Er hat einen Hang zur Hochstapelei.", "Cocktails und Cockpit.", "Die Analystin sagt, das passt.",
		"Ein Dackel namens Pfosten.", "The sheep grazed on the hill.", "Hackfleisch mit Zwiebeln.",
		"Der Clown im Zirkus war lustig.", "Ausländische Investoren kaufen Wohnungen.",
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct triage_input in = input("de", texts[i]);
		struct triage_result r = score(NULL, &in);
		if (r.scores[TRIAGE_DEMEANING] >= 0.3 || r.verdict == TRIAGE_DEMEANING) {
			dump(texts[i], &r);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_form_signals(void **state)
{
	(void)state;
	const char *c = "Die Förderung für Wärmepumpen ist gut, danke für den Bericht.";
	static const char *const block[] = { "badword", "203.0.113.", "@spam.example", "casino" };
	struct triage_input in = input("de", c);
	struct triage_result r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_OK);

	in = input("de", c);
	in.honeypot_filled = 1;
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "Honeypot"));

	in = input("de", c);
	in.fill_seconds = 1;
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "Formular nach 1 s"));

	in = input("de", c);
	in.fill_seconds = 60;
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_OK);

	in = input("de", c);
	in.duplicates = 3;
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "3 gleiche Kommentare"));

	in = input("de", "Die Förderung ist ein badword, danke für den Bericht.");
	in.blocklist = block;
	in.nblocklist = 4;
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "Sperrliste: »badword«"));

	in = input("de", "Die Förderung ist »BADWORD«, danke für den Bericht.");
	in.blocklist = block;
	in.nblocklist = 4;
	r = score(NULL, &in);
	assert_true(has_reason(&r, "Sperrliste: »badword«"));

	in = input("de", "Die Förderung ist ein Überbadword und badwords-Thema, danke."); /* not the word */
	in.blocklist = block;
	in.nblocklist = 4;
	r = score(NULL, &in);
	assert_false(has_reason(&r, "Sperrliste"));

	in = input("de", c);
	in.blocklist = block;
	in.nblocklist = 4;
	in.client_ip = "203.0.113.77";
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "IP-Adresse"));

	in = input("de", c);
	in.blocklist = block;
	in.nblocklist = 4;
	in.client_ip = "198.51.100.1";
	in.author_email = "Max@mail.SPAM.example";
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&r, "E-Mail-Domain"));

	in = input("en", "Great piece about the bike lanes, thanks.");
	in.author_name = "Cheap Viagra Online";
	r = score(NULL, &in);
	assert_true(has_reason(&r, "name advertises"));

	in = input("en", "Great piece about the bike lanes, thanks.");
	in.author_name = "www.cheap-pills.example";
	r = score(NULL, &in);
	assert_true(has_reason(&r, "name advertises"));
}

static void test_reasons_language(void **state)
{
	(void)state;
	struct triage_input in = input("en", "Du bist ein Vollidiot!");
	struct triage_result r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_DEMEANING); /* both lexicons always apply */
	assert_true(has_reason(&r, "insult: »Vollidiot«"));
	in = input("de", "You are an idiot.");
	r = score(NULL, &in);
	assert_int_equal(r.verdict, TRIAGE_DEMEANING);
	assert_true(has_reason(&r, "beleidigendes Wort: »idiot«"));
	in.lang = NULL; /* as "de" */
	r = score(NULL, &in);
	assert_true(has_reason(&r, "beleidigendes Wort"));
}

static void test_model_learns(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"Die Förderung ist gut gemacht, danke für den Bericht.",
		"Ich finde die Einkommensgrenze zu niedrig angesetzt.",
		"Wärmepumpen lohnen sich nur mit guter Dämmung im Altbau.",
		"Wie lange dauert es, bis der Zuschuss ausgezahlt wird?",
	};
	struct triage_model *m;
	assert_int_equal(triage_model_new(&m), DP_OK);
	const char *probe = "Zorblax ist wieder da, unbedingt ausprobieren.";
	struct triage_input in = input("de", probe);
	struct triage_result before = score(m, &in);
	for (int i = 0; i < 20; i++) {
		char spam[128];
		snprintf(spam, sizeof spam, "Zorblax Angebot Nummer %d, heute noch ausprobieren", i);
		assert_int_equal(triage_model_learn(m, spam, TRIAGE_SPAM), DP_OK);
		assert_int_equal(triage_model_learn(m, ok[i % 4], TRIAGE_OK), DP_OK);
	}
	assert_int_equal(triage_model_docs(m, TRIAGE_SPAM), 20);
	assert_int_equal(triage_model_docs(m, TRIAGE_OK), 20);
	struct triage_result after = score(m, &in);
	assert_true(after.scores[TRIAGE_SPAM] > before.scores[TRIAGE_SPAM] + 0.3);
	assert_int_equal(after.verdict, TRIAGE_SPAM);
	assert_true(has_reason(&after, "gelernt"));
	/* An approved comment is not dragged along. */
	in = input("de", ok[1]);
	assert_int_equal(score(m, &in).verdict, TRIAGE_OK);
	/* Bad labels. */
	assert_int_equal(triage_model_learn(m, "x", TRIAGE__MAX), DP_EINVAL);
	assert_int_equal(triage_model_learn(NULL, "x", TRIAGE_OK), DP_EINVAL);
	triage_model_free(m);
}

/* Moderators approving a flagged word again and again soften that word. */
static void test_model_approvals(void **state)
{
	(void)state;
	struct triage_model *m;
	assert_int_equal(triage_model_new(&m), DP_OK);
	struct triage_input in = input("de", "Du Clown!");
	struct triage_result before = score(m, &in);
	assert_int_equal(before.verdict, TRIAGE_DEMEANING);
	for (int i = 0; i < 12; i++)
		assert_int_equal(triage_model_learn(m, "Der Clown im Zirkus war großartig", TRIAGE_OK), DP_OK);
	struct triage_result after = score(m, &in);
	assert_true(after.scores[TRIAGE_DEMEANING] < before.scores[TRIAGE_DEMEANING] - 0.2);
	assert_true(has_reason(&after, "12-mal freigegeben"));
	triage_model_free(m);
}

static void test_model_roundtrip(void **state)
{
	(void)state;
	struct triage_model *m, *m2;
	char *json, *json2;
	assert_int_equal(triage_model_new(&m), DP_OK);
	assert_int_equal(triage_model_learn(m, "Günstige Kredite ohne Schufa, »jetzt«!", TRIAGE_SPAM), DP_OK);
	assert_int_equal(triage_model_learn(m, "Du Vollidiot", TRIAGE_DEMEANING), DP_OK);
	assert_int_equal(triage_model_learn(m, "Danke für den Bericht über Wärmepumpen", TRIAGE_OK), DP_OK);
	assert_int_equal(triage_model_learn(m, "Wer kennt einen Zahnarzt?", TRIAGE_OFFTOPIC), DP_OK);
	assert_int_equal(triage_model_save(m, &json), DP_OK);
	assert_non_null(strstr(json, "\"günstige\":[0,0,0,1]"));
	assert_int_equal(triage_model_load(json, &m2), DP_OK);
	assert_int_equal(triage_model_save(m2, &json2), DP_OK);
	assert_string_equal(json, json2);
	for (int l = 0; l < TRIAGE__MAX; l++)
		assert_int_equal(triage_model_docs(m2, l), 1);
	free(json);
	free(json2);
	triage_model_free(m);
	triage_model_free(m2);

	static const char *const bad[] = {
		"", "[", "{}", "[1,2]", "{\"version\":2,\"docs\":[0,0,0,0],\"words\":{}}",
		"{\"version\":1,\"docs\":[0,0,0],\"words\":{}}",
		"{\"version\":1,\"docs\":[0,0,0,-1],\"words\":{}}",
		"{\"version\":1,\"docs\":[0,0,0,0],\"words\":{\"a\":[1,2,3]}}",
		"{\"version\":1,\"docs\":[0,0,0,0],\"words\":{\"a\":[1,2,3,\"x\"]}}",
		"{\"version\":1,\"docs\":[0,0,0,0],\"words\":[]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		m2 = NULL;
		assert_int_equal(triage_model_load(bad[i], &m2), DP_EPARSE);
		assert_null(m2);
	}
	assert_int_equal(triage_model_load(NULL, &m2), DP_EPARSE);
	triage_model_free(NULL);
}

static void check_result(const struct triage_result *r)
{
	assert_true(r->verdict >= TRIAGE_OK && r->verdict < TRIAGE__MAX);
	assert_true(r->nreasons <= TRIAGE_NREASONS);
	for (int l = 0; l < TRIAGE__MAX; l++)
		assert_true(r->scores[l] >= 0 && r->scores[l] <= 1);
	assert_true(r->score >= 0 && r->score <= 1);
	for (size_t i = 0; i < r->nreasons; i++) {
		size_t n = strnlen(r->reasons[i], TRIAGE_REASON_LEN);
		assert_true(n > 0 && n < TRIAGE_REASON_LEN);
		assert_true(utf8_valid(r->reasons[i], n));
		assert_false(utf8_has_control(r->reasons[i], ""));
	}
}

static void test_robustness(void **state)
{
	(void)state;
	struct triage_result r;
	assert_int_equal(triage_score(NULL, NULL, &r), DP_EINVAL);
	assert_int_equal(r.verdict, TRIAGE_OK);
	struct triage_input empty = { .fill_seconds = -1 };
	assert_int_equal(triage_score(NULL, &empty, &r), DP_OK);
	check_result(&r);
	assert_int_equal(r.verdict, TRIAGE_OK);

	static const char *const odd[] = {
		"", " ", "\n\n\n", "?", "!!!", "\xff\xfe idiot \xc3", "Du \xc3\x28 Idiot",
		"a a a a a a a a a a a a a a a a a a a a a", "* * * * *", "****", "...", "1 2 3 4 5 6 7 8 9",
		"\xe2\x80\xae\xe2\x80\x8b Du Idiot \xf0\x9f\x98\x80\xf0\x9f\x98\x80",
		"ÄÖÜ äöü ß ÀÉÎ ŁŚŻ", "http://", "www.", "[dot]", "h t t p",
		"Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot Idiot",
	};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		struct triage_input in = input(i % 2 ? "en" : "de", odd[i]);
		assert_int_equal(triage_score(NULL, &in, &r), DP_OK);
		check_result(&r);
	}
	/* Random text from an alphabet of the characters the triage treats
	 * specially, plus random bytes. */
	static const char *const atoms[] = { "a", "Z", "ä", "ß", "1", "0", "@", "$", "*", "#", ".", "-", "_",
					     "'", " ", "  ", "\n", "?", "!", "(", ")", "[dot]", "www.", "http://",
					     "idiot", "du", "Sie", "ist", "pack", "viagra", ".com", "€", "»",
					     "\xc3", "\xff", "\xe2\x80", "dot", "hxxp", "nicht", "5000" };
	unsigned seed = 42;
	char buf[600];
	for (int round = 0; round < 3000; round++) {
		size_t o = 0;
		while (o < sizeof buf - 16) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 5 == 0)
				break;
			const char *a = atoms[(seed >> 8) % (sizeof atoms / sizeof atoms[0])];
			size_t al = strlen(a);
			memcpy(buf + o, a, al);
			o += al;
			if ((seed >> 20) % 13 == 0)
				buf[o++] = (char)(1 + (seed >> 24) % 255);
		}
		buf[o] = '\0';
		struct triage_input in = input(round % 2 ? "en" : "de", buf);
		if (round % 3 == 0)
			in.body = buf;
		assert_int_equal(triage_score(NULL, &in, &r), DP_OK);
		check_result(&r);
	}
	/* Padding with grammar words and markers does not hide a late insult. */
	char *pad = malloc(20000);
	assert_non_null(pad);
	size_t po = 0;
	while (po < 19000)
		po += (size_t)snprintf(pad + po, 20000 - po, "du bist nicht da, danke, artikel, text. ");
	snprintf(pad + po, 20000 - po, "Du Vollidiot!");
	struct triage_input pin = input("de", pad);
	assert_int_equal(triage_score(NULL, &pin, &r), DP_OK);
	assert_int_equal(r.verdict, TRIAGE_DEMEANING);
	free(pad);
	/* A long comment with long words and many reasons, quoted at most in part. */
	size_t n = 100000;
	char *big = malloc(n + 1);
	assert_non_null(big);
	static const char pat[] = "Idiot! www.spam-shop-%d.example viagra Ääääääääääääääääääääää ";
	size_t o = 0;
	for (int i = 0; o + sizeof pat + 8 < n; i++)
		o += (size_t)snprintf(big + o, n - o, pat, i);
	memset(big + o, 'x', n - o);
	big[n] = '\0';
	struct triage_input in = input("de", big);
	in.author_name = big;
	in.title = big;
	assert_int_equal(triage_score(NULL, &in, &r), DP_OK);
	check_result(&r);
	assert_int_equal(r.verdict, TRIAGE_DEMEANING);
	free(big);
}

static void test_lexicon(void **state)
{
	(void)state;
	for (size_t i = 0; i < lex_nentries; i++) {
		const struct lex_entry *e = &lex_entries[i];
		assert_true(e->weight <= 100 && e->cat < LEX__MAX && e->infl < INF__MAX);
		size_t words = 1;
		for (const char *p = e->text; *p; p++) {
			assert_false(isupper((unsigned char)*p));
			words += *p == ' ';
		}
		assert_true(words <= 6 && e->text[0] && e->text[0] != ' ');
		for (size_t j = 0; j < i; j++)
			if (strcmp(e->text, lex_entries[j].text) == 0 && e->cat == lex_entries[j].cat)
				fail_msg("duplicate lexicon entry %s", e->text);
	}
	assert_true(lex_is_stop("und", 3));
	assert_true(lex_is_stop("the", 3));
	assert_false(lex_is_stop("wärmepumpe", strlen("wärmepumpe")));
}

struct thread_arg {
	const struct triage_model *m;
	int bad;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	static const char *const cs[] = { "Du Idiot!", "Danke für den Artikel über die Förderung.",
					  "Cheap pills at pharmacy [dot] com", "Kennt jemand einen Friseur?" };
	static const enum triage_verdict want[] = { TRIAGE_DEMEANING, TRIAGE_OK, TRIAGE_SPAM, TRIAGE_OFFTOPIC };
	for (int i = 0; i < 400; i++) {
		struct triage_input in = input("de", cs[i % 4]);
		struct triage_result r;
		if (triage_score(a->m, &in, &r) || r.verdict != want[i % 4])
			a->bad++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct triage_model *m;
	assert_int_equal(triage_model_new(&m), DP_OK);
	for (int i = 0; i < 5; i++) {
		triage_model_learn(m, "Die Förderung ist gut", TRIAGE_OK);
		triage_model_learn(m, "pills pharmacy cheap", TRIAGE_SPAM);
	}
	pthread_t t[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ m, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	triage_model_free(m);
}

/* CPU time of this thread: other work on the machine does not count. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A comment of 1 KiB under an article of 5 KiB, as the issue asks. Prints the
 * time; fails only when it is absurdly slow (sanitizers make it slower). */
static void test_speed(void **state)
{
	(void)state;
	static const char *const words[] = {
		"Förderung", "Wärmepumpe", "Bundesregierung", "Haushaltseinkommen", "Zuschuss", "Kosten",
		"Handwerksbetriebe", "Wartezeiten", "Mieter", "profitieren", "Dämmung", "Altbau", "Strom",
		"die", "der", "und", "für", "nicht", "mit", "auf", "ist", "sind", "werden", "auch",
		"Einkommensgrenze", "Vermieter", "Nebenkosten", "Heizung", "Gasheizung", "Planung",
	};
	char body[5200], comment[1100];
	unsigned seed = 1;
	size_t o = 0;
	while (o < 5000) {
		seed = seed * 1103515245u + 12345u;
		o += (size_t)snprintf(body + o, sizeof body - o, "%s%s", words[(seed >> 16) % 30],
				      (seed >> 8) % 9 == 0 ? ". " : " ");
	}
	body[5000] = '\0';
	for (o = 0; o < 1000;) {
		seed = seed * 1103515245u + 12345u;
		o += (size_t)snprintf(comment + o, sizeof comment - o, "%s%s", words[(seed >> 16) % 30],
				      (seed >> 8) % 7 == 0 ? ", " : " ");
	}
	comment[1000] = '\0';
	struct triage_input in = input("de", comment);
	in.body = body;
	struct triage_result r;
	/* The best of five batches: the least disturbed by the rest of the machine. */
	double best = 1e9, total = 0;
	int n = 400;
	for (int batch = 0; batch < 5; batch++) {
		double t0 = now();
		for (int i = 0; i < n; i++)
			assert_int_equal(triage_score(NULL, &in, &r), DP_OK);
		double us = (now() - t0) / n * 1e6;
		total += us;
		if (us < best)
			best = us;
	}
	printf("# triage_score: %.0f µs per comment (best batch; mean %.0f) for a 1 KiB comment under a 5 KiB article\n",
	       best, total / 5);
	assert_true(best < 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_clear_cases),
		cmocka_unit_test(test_civil_criticism),
		cmocka_unit_test(test_obfuscation),
		cmocka_unit_test(test_scunthorpe),
		cmocka_unit_test(test_form_signals),
		cmocka_unit_test(test_reasons_language),
		cmocka_unit_test(test_model_learns),
		cmocka_unit_test(test_model_approvals),
		cmocka_unit_test(test_model_roundtrip),
		cmocka_unit_test(test_robustness),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
