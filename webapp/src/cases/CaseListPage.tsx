import { usePageTitle } from "../layout/usePageTitle";

export default function CaseListPage() {
  usePageTitle("CaseListPage");
  return <h1>CaseListPage</h1>;
}
