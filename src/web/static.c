/* static.c: the stylesheet and the small optional script, embedded, with content-hash ETags. */
#include "core/hash.h"
#include "web/page.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char style_css[] =
    ":root{--fg:#222;--bg:#fff;--muted:#555;--accent:#900;--line:#ddd;--box:#f6f6f6}\n"
    "*{box-sizing:border-box}\n"
    "html{font-size:100%}\n"
    "body{margin:0;color:var(--fg);background:var(--bg);font:1rem/1.5 Georgia,serif}\n"
    "a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus,textarea:focus"
    "{outline:3px solid #36c;outline-offset:1px}\n"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em}\n"
    ".skip:focus{left:.5em;z-index:10}\n"
    "header.site{background:var(--accent);color:#fff;padding:.5em 1em;display:flex;"
    "flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5em}\n"
    "header.site a{color:#fff}.brand{margin:0;font-size:1.4rem;font-weight:bold}\n"
    ".brand a{text-decoration:none}\n"
    "nav ul,.commas,.required-tags,.tags,.pagination ol{list-style:none;margin:0;padding:0}\n"
    "header nav ul{display:flex;flex-wrap:wrap;gap:.25em 1em;align-items:center}\n"
    "header nav button{background:none;border:0;color:#fff;text-decoration:underline;"
    "font:inherit;cursor:pointer;padding:0}\n"
    "main{max-width:60rem;margin:0 auto;padding:1em;overflow-wrap:anywhere}\n"
    "footer.site{border-top:1px solid var(--line);color:var(--muted);text-align:center;"
    "padding:1em;font-size:.9rem}\n"
    "h1,h2,h3{line-height:1.2}\n"
    ".landmark{position:absolute;left:-9999px}\n"
    ".commas li{display:inline}.commas li+li:before{content:\", \"}\n"
    ".work.meta{background:var(--box);border:1px solid var(--line);padding:.75em 1em;"
    "display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em;margin:0 0 1em}\n"
    ".work.meta dt{font-weight:bold}.work.meta dd{margin:0}\n"
    "dl.stats{display:flex;flex-wrap:wrap;gap:.1em .5em;margin:0}"
    "dl.stats dt{font-weight:bold}dl.stats dd{margin:0 .75em 0 0}\n"
    ".preface .title{text-align:center;margin:.5em 0 .1em}.byline{text-align:center;"
    "margin:0 0 1em}\n"
    ".userstuff{font-size:1.05rem;line-height:1.6}\n"
    "blockquote.userstuff{margin:.5em 1.5em}\n"
    ".chapter .title{text-align:center}\n"
    ".notes,.end.notes,.summary{border-left:3px solid var(--line);padding-left:.75em;"
    "margin:1em 0}\n"
    "ol.works,ul.works{list-style:none;padding:0}\n"
    ".blurb{border:1px solid var(--line);padding:.75em 1em;margin:0 0 1em;"
    "border-radius:4px}\n"
    ".blurb .heading{margin:0 0 .25em;font-size:1.15rem}\n"
    ".blurb .fandoms{margin:0 0 .25em}.blurb .datetime{margin:0;color:var(--muted);"
    "font-size:.9rem}\n"
    ".required-tags{display:flex;flex-wrap:wrap;gap:.25em;margin:.25em 0}\n"
    ".required-tags li{background:var(--box);border:1px solid var(--line);padding:0 .4em;"
    "font-size:.85rem}\n"
    ".tags{margin:.25em 0}.tags li{display:inline}.tags li+li:before{content:\", \"}\n"
    ".tag{text-decoration:none;border-bottom:1px dotted}\n"
    ".chapter-nav ul,.work-actions ul,.download ul,.suggested ul{display:flex;"
    "flex-wrap:wrap;gap:.5em 1em;list-style:none;padding:0}\n"
    ".pagination ol{display:flex;flex-wrap:wrap;gap:.5em;justify-content:center;"
    "margin:1em 0}\n"
    "form.inline{display:inline}\n"
    ".field{margin:.75em 0}.field label,fieldset legend{display:block;font-weight:bold}\n"
    "input[type=text],input[type=password],input[type=number],input[type=file],select,"
    "textarea{width:100%;max-width:40rem;font:inherit;padding:.35em;border:1px solid #999}\n"
    "textarea{max-width:100%}\n"
    "fieldset{border:1px solid var(--line);margin:.75em 0;padding:.5em 1em}\n"
    "fieldset label{font-weight:normal;display:inline-block;margin-right:1em}\n"
    ".hint{display:block;color:var(--muted);font-size:.9rem}\n"
    "button,input[type=submit]{font:inherit;padding:.35em .9em;cursor:pointer}\n"
    ".actions{display:flex;flex-wrap:wrap;gap:.5em;margin:1em 0}\n"
    ".errors{border:2px solid var(--accent);background:#fee;padding:.5em 1em;margin:1em 0}\n"
    ".notice{background:#ffd;border:1px solid #cc9;padding:.5em 1em}\n"
    ".draft{color:var(--muted);font-style:italic}\n"
    "table{border-collapse:collapse}td,th{border:1px solid var(--line);padding:.25em .5em}\n"
    ".site-search{display:flex;gap:.25em}.site-search input{width:12rem;max-width:50vw;"
    "font:inherit;padding:.2em .4em;border:1px solid #fff}\n"
    ".site-search button{font:inherit;padding:.2em .6em}\n"
    ".works-search{display:grid;grid-template-columns:minmax(0,1fr) 17rem;gap:1.5em;"
    "align-items:start}\n"
    ".filters{background:var(--box);border:1px solid var(--line);padding:.5em .75em;"
    "font-size:.9rem}\n"
    ".filters h2{font-size:1.1rem;margin:.25em 0}\n"
    ".filters fieldset{margin:.5em 0;padding:.25em .5em}\n"
    ".filters fieldset fieldset{border:0;padding:0}\n"
    ".filters legend{font-weight:bold}\n"
    ".filters ul{list-style:none;margin:0;padding:0}\n"
    ".filters li{margin:.1em 0;display:flex;gap:.4em;align-items:baseline}\n"
    ".filters li label{display:inline;margin:0}\n"
    ".filters input[type=text],.filters input[type=number],.filters input[type=date],"
    ".filters input[type=search],.filters select{width:100%;font:inherit;padding:.25em}\n"
    ".filters .count{color:var(--muted)}\n"
    ".snippet{margin:.25em 0;padding:.25em .5em;border-left:3px solid var(--line)}\n"
    "mark{background:#ffe27a;color:inherit}\n"
    "@media (max-width:50rem){.works-search{grid-template-columns:1fr}}\n"
    "@media (max-width:40rem){main{padding:.5em}.work.meta{grid-template-columns:1fr}"
    "header.site{display:block}blockquote.userstuff{margin:.5em}}\n"
    /* feedback: kudos, comment threads, inbox, moderation */
    "section.feedback{border-top:1px solid var(--line);margin-top:2em;padding-top:1em}\n"
    "form.kudos button{font-size:1.1rem}p.kudos{color:var(--muted)}\n"
    "ol.thread{list-style:none;padding-left:0;margin:0}\n"
    "ol.thread ol.thread{padding-left:1.5em;border-left:2px solid var(--line)}\n"
    "li.comment{margin:.75em 0;padding:.5em;background:var(--box)}\n"
    "li.comment h4{margin:0;font-size:1rem}.deleted-comment{font-style:italic;color:var(--muted)}\n"
    "ul.comment-actions{list-style:none;padding:0;margin:.25em 0;display:flex;flex-wrap:wrap;"
    "gap:.75em}\n"
    "ul.inbox{list-style:none;padding:0}li.inbox-item{border-bottom:1px solid var(--line);"
    "padding:.5em 0}li.inbox-item.unread{font-weight:bold}\n"
    "#inbox-count{font-weight:bold}table.audit-log,table.users{border-collapse:collapse}\n"
    "table.audit-log td,table.audit-log th,table.users td,table.users th{border:1px solid "
    "var(--line);padding:.25em .5em;text-align:left}\n";

static const char ficd_js[] =
    "/* ficd.js: optional helpers; every page works without it. Tag fields get suggestions "
    "from\n * /api/v1/tags/autocomplete, and 'Add' buttons next to importer suggestions "
    "append the tag. */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  function lastTerm(v) { var i = v.lastIndexOf(','); return v.slice(i + 1).trim(); }\n"
    "  document.querySelectorAll('input[data-autocomplete]').forEach(function (input) {\n"
    "    var list = document.getElementById(input.getAttribute('list'));\n"
    "    if (!list) return;\n"
    "    var timer = null;\n"
    "    input.addEventListener('input', function () {\n"
    "      clearTimeout(timer);\n"
    "      timer = setTimeout(function () {\n"
    "        var term = lastTerm(input.value);\n"
    "        if (term.length < 1) return;\n"
    "        var url = '/api/v1/tags/autocomplete?type=' +\n"
    "          encodeURIComponent(input.dataset.autocomplete) + '&term=' + "
    "encodeURIComponent(term);\n"
    "        fetch(url, {credentials: 'same-origin'}).then(function (r) { return r.json(); })\n"
    "          .then(function (tags) {\n"
    "            var head = input.value.slice(0, input.value.lastIndexOf(',') + 1);\n"
    "            if (head) head += ' ';\n"
    "            list.textContent = '';\n"
    "            tags.forEach(function (t) {\n"
    "              var o = document.createElement('option');\n"
    "              o.value = head + t.name;\n"
    "              list.appendChild(o);\n"
    "            });\n"
    "          }).catch(function () {});\n"
    "      }, 150);\n"
    "    });\n"
    "  });\n"
    "  document.querySelectorAll('button[data-add-tag]').forEach(function (btn) {\n"
    "    btn.hidden = false;\n"
    "    btn.addEventListener('click', function () {\n"
    "      var input = document.getElementById(btn.dataset.field);\n"
    "      if (!input) return;\n"
    "      var tag = btn.dataset.addTag;\n"
    "      var have = input.value.split(',').map(function (s) { return s.trim().toLowerCase(); "
    "});\n"
    "      if (have.indexOf(tag.toLowerCase()) < 0)\n"
    "        input.value = input.value.trim() ? input.value.replace(/,?\\s*$/, ', ') + tag : "
    "tag;\n"
    "      btn.disabled = true;\n"
    "    });\n"
    "  });\n"
    "})();\n";

static struct static_asset assets[] = {
    {"/static/style.css", "text/css; charset=utf-8", style_css, sizeof(style_css) - 1, ""},
    {"/static/ficd.js", "text/javascript; charset=utf-8", ficd_js, sizeof(ficd_js) - 1, ""},
};

static pthread_once_t etag_once = PTHREAD_ONCE_INIT;

/* Computes each asset's ETag: the first 16 hex digits of its SHA-256, quoted. */
static void compute_etags(void)
{
    for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
        char hex[HASH_SHA256_HEX];
        hash_sha256_hex(assets[i].body, assets[i].len, hex);
        assets[i].etag[0] = '"';
        memcpy(assets[i].etag + 1, hex, 16);
        assets[i].etag[17] = '"';
        assets[i].etag[18] = 0;
    }
}

const struct static_asset *static_find(const char *path)
{
    pthread_once(&etag_once, compute_etags);
    for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
        if (!strcmp(assets[i].path, path))
            return &assets[i];
    return NULL;
}

int ui_static(struct web_req *r)
{
    const struct static_asset *a = static_find(r->path);
    if (!a)
        return ui_error(r, 404, "There is no such file.");
    web_header(r, "ETag", a->etag);
    web_header(r, "Cache-Control", "public, max-age=86400");
    r->cacheable = 1;
    r->content_type = a->type;
    if (r->if_none_match && strstr(r->if_none_match, a->etag))
        return 304;
    buf_put(&r->out, a->body, a->len); /* a built-in asset, not user data */
    return 200;
}
