import { useEffect } from "react";

/** Every page has its own document title (WCAG 2.4.2), read first by a screen reader. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} – SIP` : "SIP – samordnad individuell plan";
  }, [title]);
}
