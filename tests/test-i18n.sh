#!/bin/sh
# test-i18n.sh — the Chinese catalogues compile, translate every message, and
# are what the programs speak under LANGUAGE=zh_CN or zh_TW
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-i18n.sh SOURCE_ROOT; SHMLAB_CLI and SHMLAB_WRITER name the binaries.
# Prints TAP.

src=${1:?usage: test-i18n.sh SOURCE_ROOT}
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

for tool in msgfmt xgettext msgmerge msgattrib; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..1"
    skip "catalogues" "$tool is missing: install the gettext package"
    exit 0
  fi
done

# The template, extracted afresh from the sources POTFILES.in lists, with the
# keywords of meson's glib preset.
(cd "$src" && xgettext --from-code=UTF-8 --add-comments --files-from=po/POTFILES.in \
   --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
   --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
   --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
   --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
   --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
   --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
   --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
   --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
   --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
   --flag=g_snprintf:3:c-format --flag=g_prefix_error:2:c-format \
   -o "$work/shmlab.pot") 2>"$work/xgettext.err"
echo "1..9"
if [ -s "$work/shmlab.pot" ]; then
  ok "xgettext extracts $(grep -c '^msgid ' "$work/shmlab.pot") messages from po/POTFILES.in"
else
  not_ok "xgettext extracts the messages from po/POTFILES.in" "$(cat "$work/xgettext.err")"
fi

for lang in zh_CN zh_TW; do
  po="$src/po/$lang.po"
  if msgfmt --check --statistics -o "$work/$lang.mo" "$po" 2>"$work/$lang.stat"; then
    ok "$lang.po compiles with msgfmt --check: $(cat "$work/$lang.stat")"
  else
    not_ok "$lang.po compiles with msgfmt --check" "$(cat "$work/$lang.stat")"
  fi

  # Every message of the fresh template, translated, neither empty nor fuzzy.
  msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.merged.po" "$po" "$work/shmlab.pot"
  untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.merged.po" | grep -c '^msgid ')
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$work/$lang.merged.po" | grep -c '^msgid ')
  # Both counts include the header when there is anything else.
  if [ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ]; then
    ok "$lang.po translates every message of the sources"
  else
    not_ok "$lang.po translates every message of the sources" \
      "$((untranslated > 0 ? untranslated - 1 : 0)) untranslated, $((fuzzy > 0 ? fuzzy - 1 : 0)) fuzzy:" \
      "$(msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.merged.po" | grep '^msgid ' | sed 1d | head -20)"
  fi
done

# zh_TW reads as Taiwan writes: 「」 quotes, and Taiwan's words, not the mainland's.
mainland="“ ” ‘ ’ 幀 信號量 默認 信息 文件 進程 內存 數據 界面 設置 字節 窗口 鏈接 創建 支持 用戶 文本 程序 示例 超時"
awk '/^msgstr/ { s = 1 } /^(msgid|msgctxt|#)/ || /^$/ { s = 0 } s' "$src/po/zh_TW.po" >"$work/zh_TW.msgstr"
found=""
for word in $mainland; do
  if grep -q -F -e "$word" "$work/zh_TW.msgstr"; then
    found="$found $word: $(grep -F -e "$word" "$work/zh_TW.msgstr" | head -1)
"
  fi
done
if [ -z "$found" ]; then
  ok "zh_TW.po uses 「」 quotes and Taiwan's words"
else
  not_ok "zh_TW.po uses 「」 quotes and Taiwan's words" "$found"
fi

# The programs, run from the build tree, find the build tree's catalogues.
out=$(LC_ALL=C.UTF-8 LANGUAGE=zh_CN "$SHMLAB_CLI" read shmlab-i18n-no-such-key-$$ 2>&1)
case $out in
  *"没有段使用键“shmlab-i18n-no-such-key-$$”"*) ok "LANGUAGE=zh_CN shmlab read: the error is in Simplified Chinese" ;;
  *) not_ok "LANGUAGE=zh_CN shmlab read: the error is in Simplified Chinese" "$out" ;;
esac

out=$(LC_ALL=C.UTF-8 LANGUAGE=zh_TW "$SHMLAB_CLI" --help 2>&1)
case $out in
  *共享内存*|*Usage:*) not_ok "LANGUAGE=zh_TW shmlab --help is in Traditional Chinese" "$out" ;;
  *"把文字和圖片放進共享記憶體"*) ok "LANGUAGE=zh_TW shmlab --help is in Traditional Chinese" ;;
  *) not_ok "LANGUAGE=zh_TW shmlab --help is in Traditional Chinese" "$out" ;;
esac

out=$(LC_ALL=C.UTF-8 LANGUAGE=zh_CN "$SHMLAB_WRITER" --help 2>&1)
case $out in
  *"两个程序约定的键"*"把文本或图片写入共享内存"*|*"把文本或图片写入共享内存"*"两个程序约定的键"*)
    ok "LANGUAGE=zh_CN shmlab-writer --help is in Simplified Chinese" ;;
  *) not_ok "LANGUAGE=zh_CN shmlab-writer --help is in Simplified Chinese" "$out" ;;
esac

exit $failed
