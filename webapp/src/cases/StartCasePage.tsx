import { usePageTitle } from "../layout/usePageTitle";

export default function StartCasePage() {
  usePageTitle("StartCasePage");
  return <h1>StartCasePage</h1>;
}
