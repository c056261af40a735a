import { usePageTitle } from "../layout/usePageTitle";

export default function CasePage() {
  usePageTitle("CasePage");
  return <h1>CasePage</h1>;
}
