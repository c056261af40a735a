// A task's instructions, written in Markdown by those who model the routine: rendered to HTML, then cleaned of
// anything that could run or load (DOMPurify) before it reaches the page.
import DOMPurify from "dompurify";
import { Marked } from "marked";
import { useMemo } from "react";

let hooked = false;

function purify(html: string): string {
  if (!hooked) {
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.getAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
        const note = node.ownerDocument.createElement("span");
        note.className = "visually-hidden";
        note.textContent = " (öppnas i ny flik)";
        node.appendChild(note);
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "img", "iframe"],
    FORBID_ATTR: ["style"],
  });
}

/** Markdown as safe HTML; headings start at `level` (the page around it has its own). */
export function markdownToHtml(text: string, level = 3): string {
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  marked.use({
    walkTokens(token) {
      if (token.type === "heading") token.depth = Math.min(6, token.depth + level - 1);
    },
  });
  return purify(marked.parse(text) as string);
}

export function Markdown({ text, level = 3, className }: { text: string; level?: number; className?: string }) {
  const html = useMemo(() => markdownToHtml(text, level), [text, level]);
  // The HTML is sanitised above; nothing in it can run.
  return <div className={className ?? "markdown"} dangerouslySetInnerHTML={{ __html: html }} />;
}
