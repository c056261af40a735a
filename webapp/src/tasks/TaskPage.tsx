import { usePageTitle } from "../layout/usePageTitle";

export default function TaskPage() {
  usePageTitle("TaskPage");
  return <h1>TaskPage</h1>;
}
