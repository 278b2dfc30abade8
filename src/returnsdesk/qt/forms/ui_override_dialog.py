# Generated from ui/override_dialog.ui by scripts/build_forms.py. Do not edit: edit the .ui file.
from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QDialogButtonBox,
    QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QSizePolicy, QVBoxLayout, QWidget)

class Ui_OverrideDialog(object):
    def setupUi(self, OverrideDialog):
        if not OverrideDialog.objectName():
            OverrideDialog.setObjectName(u"OverrideDialog")
        OverrideDialog.resize(560, 360)
        self.rootLayout = QVBoxLayout(OverrideDialog)
        self.rootLayout.setObjectName(u"rootLayout")
        self.prompt = QLabel(OverrideDialog)
        self.prompt.setObjectName(u"prompt")
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setWordWrap(True)

        self.rootLayout.addWidget(self.prompt)

        self.dispositionList = QListWidget(OverrideDialog)
        self.dispositionList.setObjectName(u"dispositionList")

        self.rootLayout.addWidget(self.dispositionList)

        self.reasonLabel = QLabel(OverrideDialog)
        self.reasonLabel.setObjectName(u"reasonLabel")
        self.reasonLabel.setTextFormat(Qt.TextFormat.PlainText)

        self.rootLayout.addWidget(self.reasonLabel)

        self.reasonEdit = QLineEdit(OverrideDialog)
        self.reasonEdit.setObjectName(u"reasonEdit")

        self.rootLayout.addWidget(self.reasonEdit)

        self.problem = QLabel(OverrideDialog)
        self.problem.setObjectName(u"problem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)

        self.rootLayout.addWidget(self.problem)

        self.buttonBox = QDialogButtonBox(OverrideDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.rootLayout.addWidget(self.buttonBox)

        self.prompt.setBuddy(self.dispositionList)
        self.reasonLabel.setBuddy(self.reasonEdit)
        QWidget.setTabOrder(self.dispositionList, self.reasonEdit)

        self.retranslateUi(OverrideDialog)
        self.buttonBox.accepted.connect(OverrideDialog.accept)
        self.buttonBox.rejected.connect(OverrideDialog.reject)

        QMetaObject.connectSlotsByName(OverrideDialog)
    # setupUi

    def retranslateUi(self, OverrideDialog):
        OverrideDialog.setWindowTitle(QCoreApplication.translate("OverrideDialog", u"Override disposition", None))
        self.prompt.setText("")
        self.dispositionList.setAccessibleName(QCoreApplication.translate("OverrideDialog", u"Disposition", None))
        self.reasonLabel.setText(QCoreApplication.translate("OverrideDialog", u"Reason (required):", None))
        self.reasonEdit.setPlaceholderText(QCoreApplication.translate("OverrideDialog", u"e.g. box crushed, cannot be resold as new", None))
        self.reasonEdit.setAccessibleName(QCoreApplication.translate("OverrideDialog", u"Reason", None))
        self.problem.setText("")
        self.problem.setStyleSheet(QCoreApplication.translate("OverrideDialog", u"color:#842029", None))
    # retranslateUi
